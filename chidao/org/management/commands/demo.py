import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from chidao.accounts.models import User
from chidao.documents.demo import load as load_documents_demo
from chidao.meetings.demo import load as load_meetings_demo
from chidao.org.demo import ADMIN_USERNAME, DEMO_PASSWORD, DemoSummary, current_totp_code, load_demo
from chidao.reporting.demo import load_reporting_demo
from chidao.tasks.demo import load as load_tasks_demo


class Command(BaseCommand):
    help = (
        "Set up a demo: migrate, load the administrative units, then add Ban Chỉ đạo 35 examples drawn from "
        "published news and fictional commune committees, with one demo account per role. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load inside a transaction, report what would be created, then roll back (needs a migrated database).",
        )
        parser.add_argument(
            "--no-units",
            action="store_true",
            help="Skip the ~14,000 administrative units; create only the dozen the demo needs, with the same codes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("refusing to create demo accounts with a published password when CHIDAO_PRODUCTION=1")
        dry_run = options["dry_run"]
        if dry_run:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                raise CommandError("the database has unapplied migrations; run `chidao migrate` or drop --dry-run")
        else:
            call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        with transaction.atomic():
            summary = load_demo(with_units=not options["no_units"])
            admin = User.objects.get(username=ADMIN_USERNAME)
            reporting = load_reporting_demo(actor=admin)
            meetings = load_meetings_demo(actor=admin)
            tasks = load_tasks_demo(actor=admin)
            documents = load_documents_demo(actor=admin)
            codes = {
                login.username: current_totp_code(login.totp_secret) for login in summary.logins if login.totp_secret
            }
            if dry_run:
                transaction.set_rollback(True)
        suffix = " (dry run, rolled back)" if dry_run else ""
        self.stdout.write(
            f"{summary}; {reporting}; {meetings}; {tasks}; {documents} in {time.monotonic() - started:.1f}s{suffix}"
        )
        self.stdout.write(self._logins(summary, codes, dry_run=dry_run))

    def _logins(self, summary: DemoSummary, codes: dict[str, str], *, dry_run: bool) -> str:
        first = summary.logins[0]
        lines = [
            "",
            f"Đăng nhập demo — mật khẩu chung: {DEMO_PASSWORD}",
            f"  Bắt đầu với: {first.username} ({first.role}, {first.unit}) — không cần xác thực hai lớp.",
            "  Tài khoản khác:",
        ]
        for login in summary.logins[1:]:
            lines.append(f"    {login.username:<15} {login.role}, {login.unit}")
        lines += [
            "",
            "Quản trị viên bắt buộc dùng xác thực hai lớp (TOTP). Demo đã gắn sẵn một ứng dụng xác thực đã xác nhận",
            "cho mỗi tài khoản quản trị, nên không phải qua bước đăng ký: thêm khóa dưới đây vào ứng dụng xác thực",
            "(Google Authenticator, Aegis, FreeOTP...) rồi nhập mã 6 chữ số mới nhất khi được hỏi; lần chạy đầu đã",
            "dùng mã hiện tại để xác nhận thiết bị, nên nếu bị từ chối hãy chờ mã kế tiếp.",
        ]
        for login in summary.logins:
            if login.totp_secret:
                lines.append(
                    f"    {login.username:<15} khóa {login.totp_secret}  (để đối chiếu, ứng dụng lúc này hiện {codes[login.username]})"
                )
        if dry_run:
            lines.append("  (chạy thử: các khóa trên đã bị hoàn tác cùng dữ liệu)")
        return "\n".join(lines)
