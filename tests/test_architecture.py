"""Our linter: views and API modules read scoped models only through the scope helper, and only
services (and the loader/import modules built on them) write audited models."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "chidao"
SCOPED_MODELS = {
    "Unit",
    "Committee",
    "CommitteeGroup",
    "Person",
    "Membership",
    "AuditEntry",
    "RoleGrant",
    "Meeting",
    "AgendaItem",
    "AgendaDocument",
    "Invitee",
    "Conclusion",
    "Task",
    "Extension",
    "ProgressUpdate",
    "Comment",
    "Attachment",
    "Document",
    "DocumentRelation",
}
WRITE_METHODS = {
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
WRITERS = {"services.py", "loader.py", "imports.py", "demo.py"}


def _modules(prefixes: tuple[str, ...]) -> list[Path]:
    """Modules whose name starts with one of `prefixes` (views.py, views_tools.py, api.py...)."""
    return [p for p in ROOT.rglob("*.py") if p.name.startswith(prefixes) and "migrations" not in p.parts]


def _allowed_scoped_uses(tree: ast.AST) -> set[int]:
    """ids of `Model.objects` nodes that reach the scope helper: an argument of get_visible_or_404,
    or a QuerySet chain that calls .visible_to()."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "get_visible_or_404":
            for arg in node.args[:1]:
                allowed.update(id(n) for n in ast.walk(arg))
        if isinstance(func, ast.Attribute) and func.attr == "visible_to":
            allowed.update(id(n) for n in ast.walk(func.value))
    return allowed


def test_views_and_api_never_query_scoped_models_directly():
    offenders = []
    for path in _modules(("views", "api")):
        tree = ast.parse(path.read_text())
        allowed = _allowed_scoped_uses(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id in SCOPED_MODELS
                and id(node) not in allowed
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.objects")
    assert offenders == []


def test_only_service_modules_write_domain_models():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name in WRITERS or "services" in path.parts or "migrations" in path.parts or "management" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
                target = node.func.value
                text = ast.unparse(target)
                if any(text.startswith(f"{model}.objects") for model in SCOPED_MODELS):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}")
            is_save = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "save"
            if is_save and path.name in {
                "views.py",
                "api.py",
                "queries.py",
                "forms.py",
            }:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .save() outside services")
    assert offenders == []


def test_every_scoped_model_queryset_has_visible_to():
    from chidao.audit.models import AuditEntry
    from chidao.documents.models import Attachment as DocumentAttachment
    from chidao.documents.models import Document
    from chidao.meetings.models import AgendaDocument, AgendaItem, Conclusion, Invitee, Meeting
    from chidao.org.models import Committee, CommitteeGroup, Membership, Person, Unit
    from chidao.reporting.models import Aggregate, Assignment, DataValue, Indicator, Report, ReportForm
    from chidao.tasks.models import Attachment, Comment, Extension, ProgressUpdate, Task

    for model in (
        Unit,
        Committee,
        CommitteeGroup,
        Person,
        Membership,
        AuditEntry,
        Indicator,
        ReportForm,
        Assignment,
        Report,
        DataValue,
        Aggregate,
        Meeting,
        AgendaItem,
        AgendaDocument,
        Invitee,
        Conclusion,
        Task,
        Extension,
        ProgressUpdate,
        Comment,
        Attachment,
        Document,
        DocumentAttachment,
    ):
        assert hasattr(model.objects, "visible_to"), model
