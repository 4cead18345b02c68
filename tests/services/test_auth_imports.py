"""argon2 loads with the first password, not with the sign-in service (badges never need it)."""

from __future__ import annotations

import subprocess
import sys


def test_the_sign_in_service_loads_argon2_only_for_a_password() -> None:
    probe = (
        "import sys\n"
        "from wms_desk.services import auth\n"
        "print('argon2' in sys.modules)\n"
        "hashed = auth.hash_password('secret-1')\n"
        "print('argon2' in sys.modules, hashed.startswith('$argon2id$'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "True", "True"]
