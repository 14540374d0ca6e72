"""Stand-in agent that exits 0 at once without a word."""
