"""Models of the minutes app."""
