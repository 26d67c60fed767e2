"""Command line: `python -m bot run`, `python -m bot db upgrade`, and the operator commands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Bot tiếp nhận phản ánh TTHC Hải Phòng"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="chạy bot")
    run.add_argument(
        "--channel",
        action="append",
        choices=["console", "telegram", "zalo-bot", "zalo-oa"],
        help="kênh (mặc định: Telegram/Zalo nếu có token, không thì console); lặp lại để chạy nhiều kênh",
    )
    run.add_argument("--webhook", action="store_true", help="nhận cập nhật qua webhook thay vì long polling")
    run.add_argument("--user", default="local", help="mã người dùng của kênh console")
    run.add_argument(
        "--no-migrate", action="store_true", help="không tự nâng cấp cơ sở dữ liệu khi khởi động"
    )
    db = sub.add_parser("db", help="cơ sở dữ liệu")
    db.add_argument("action", choices=["upgrade"])
    from bot.report_cli import add_parser as add_report_parser

    add_report_parser(sub)
    purge = sub.add_parser(
        "purge", help="xóa dữ liệu cá nhân của phản ánh đã đóng quá hạn lưu trữ (giữ số liệu thống kê)"
    )
    purge.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="số ngày kể từ khi đóng (mặc định: retention.personal_data_days trong config.yaml)",
    )
    purge.add_argument("--dry-run", action="store_true", help="chỉ đếm, không xóa")
    faq_help = "bộ câu hỏi trong cơ sở dữ liệu: import [DIR] [--eval FILE…] | export DIR"
    sub.add_parser("faq", help=faq_help, add_help=False)
    sub.add_parser(
        "faq-gaps",
        help="các câu hỏi FAQ chưa trả lời được, gộp nhóm (tùy chọn riêng: --top, --database-url)",
        add_help=False,
    )
    dashboard = sub.add_parser("dashboard", help="chạy riêng bảng điều khiển (in ra liên kết đăng nhập)")
    dashboard.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    dashboard.add_argument("--port", type=int, default=8080, help="cổng (mặc định 8080)")
    dashboard.add_argument(
        "--no-migrate", action="store_true", help="không tự nâng cấp cơ sở dữ liệu khi khởi động"
    )
    return parser


def default_channels(settings: Settings) -> list[str]:
    channels = []
    if settings.telegram_bot_token:
        channels.append("telegram")
    if settings.zalo_bot_token:
        channels.append("zalo-bot")
    if settings.zalo_oa_app_id and settings.zalo_oa_secret_key:
        channels.append("zalo-oa")
    return channels or ["console"]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["faq"]:  # import/export of the knowledge base, parsed by bot.knowledge
        from bot.knowledge import main as faq_main

        return faq_main(argv[1:])
    if argv[:1] == ["faq-gaps"]:  # its own options, parsed by bot.faq_gaps
        from bot.faq_gaps import main as faq_gaps

        return faq_gaps(argv[1:])
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    from bot.logging_setup import setup_logging

    setup_logging(settings.log_level)
    if args.command == "db":
        from storage.migrate import upgrade

        upgrade(settings.sqlalchemy_url)
        print("Database is up to date.")
        return 0
    if args.command == "report":
        from bot.report_cli import run_report

        return run_report(settings, args)
    if args.command == "purge":
        return asyncio.run(purge(settings, args.older_than, dry_run=args.dry_run))
    if args.command == "dashboard":
        from bot.dashboard.server import serve as serve_dashboard

        try:
            return asyncio.run(serve_dashboard(settings, args.host, args.port, migrate=not args.no_migrate))
        except KeyboardInterrupt:
            return 0
    if args.command == "run":
        channels = args.channel or default_channels(settings)
        try:
            return asyncio.run(
                run(
                    settings,
                    channels,
                    webhook=args.webhook,
                    console_user=args.user,
                    migrate=not args.no_migrate,
                )
            )
        except ConfigError as exc:
            print(f"Configuration error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 0
    return 1


async def purge(settings: Settings, older_than: float | None, *, dry_run: bool) -> int:
    from bot.purge import purge_personal_data
    from storage.db import Database

    days = older_than if older_than is not None else settings.retention.personal_data_days
    if days <= 0:
        print("--older-than must be a positive number of days", file=sys.stderr)
        return 2
    db = Database(settings.sqlalchemy_url, statement_timeout=None)  # an operator's run may be long
    try:
        report = await purge_personal_data(db, days, dry_run=dry_run)
    finally:
        await db.dispose()
    head = "Would erase (dry run)" if dry_run else "Erased"
    print(f"{head}: personal data of cases closed more than {days:g} days ago.")
    for line in report.lines():
        print(f"  {line}")
    return 0


async def run(
    settings: Settings, channels: list[str], *, webhook: bool, console_user: str, migrate: bool
) -> int:
    from bot.runtime import Runtime
    from bot.startup import wait_for_database

    # The database may come up after the bot (a reboot): one line per try, not a traceback.
    await wait_for_database(settings.sqlalchemy_url)
    if migrate:
        from storage.migrate import upgrade_async

        await upgrade_async(settings.sqlalchemy_url)
    runtime = Runtime(settings, channels, webhook=webhook)
    await runtime.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if channels == ["console"]:
            from bot.console import run_console

            await run_console(runtime.app, user_id=console_user)
        else:
            await runtime.serve(stop)
    finally:
        await runtime.close()
    return 0
