"""Chemical release: toxic puffs and plumes that move with the wind, and the chemicals' AEGL
thresholds."""
