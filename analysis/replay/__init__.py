"""The tabletop replay: a self-contained page (and a terminal view) that replays a run for a
room of players, stops at injects and decision points, and shows what another decision would
have changed."""
