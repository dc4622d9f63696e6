"""The ``drillsim`` command line: a thin layer over the packages."""
