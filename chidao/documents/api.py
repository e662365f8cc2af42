"""Documents API: the same services and scope rules as the pages."""

from ninja import Router

from chidao.documents.api_tools import router as tools_router

router = Router(tags=["documents"])
router.add_router("", tools_router)
