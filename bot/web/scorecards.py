"""Scorecard pages of the web app (filled in by the scorecards work: personal `/me/<token>` links
and organisation downloads). The web app registers this blueprint unconditionally."""

from __future__ import annotations

from sanic import Blueprint

blueprint = Blueprint("scorecards")
