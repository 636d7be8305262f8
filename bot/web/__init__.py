"""The web app (chat page, widget static files, scorecards) and the embeddable chat widget."""
