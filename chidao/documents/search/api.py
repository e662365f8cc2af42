"""Search API: the same search and scope rules as the search page."""

from ninja import Router

router = Router(tags=["search"])
