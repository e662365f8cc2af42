"""API of composing outgoing documents and importing a register. Added to the documents router."""

from ninja import Router

router = Router(tags=["documents"])
