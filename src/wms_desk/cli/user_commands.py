"""`wms-desk user add | list`."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError


def register(subparsers: Any) -> None:
    user = subparsers.add_parser("user", help="add and list users")
    commands = user.add_subparsers(dest="user_command", metavar="COMMAND", required=True)

    add = commands.add_parser("add", help="add a user (password asked for, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["packer", "supervisor", "admin"])
    add.add_argument("--badge", metavar="CODE", help="badge code for sign-in by scan")
    add.add_argument("--name", metavar="TEXT", help="display name (default: the username)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(run=run_add)

    listing = commands.add_parser("list", help="list users")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(run=run_list)


def _read_password(env: CliEnv) -> str:
    if env.args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for a password; use --password-stdin")
    first = getpass.getpass(f"Password for {env.args.username}: ")
    if first != getpass.getpass("Repeat the password: "):
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def run_add(env: CliEnv) -> int:
    from wms_desk.services.users import add_user, validate_new_user

    validate_new_user(env.args.username, env.args.role, None)
    password = _read_password(env)
    info = add_user(
        env.context(),
        env.args.username,
        env.args.role,
        password=password,
        badge=env.args.badge,
        display_name=env.args.name,
    )
    badge = " with a badge" if info.has_badge else ""
    env.out(f"added {info.role.value} '{info.username}'{badge}")
    return 0


def run_list(env: CliEnv) -> int:
    import json

    from wms_desk.services.users import list_users

    users = list_users(env.context())
    if env.args.json:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role.value,
                "active": u.active,
                "badge": u.has_badge,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in users
        ]
        env.out(json.dumps(rows))
        return 0
    env.out(f"{'USERNAME':<20}{'ROLE':<12}{'ACTIVE':<8}{'BADGE':<7}NAME")
    for u in users:
        env.out(
            f"{u.username:<20}{u.role.value:<12}{'yes' if u.active else 'no':<8}"
            f"{'yes' if u.has_badge else 'no':<7}{u.display_name}"
        )
    return 0
