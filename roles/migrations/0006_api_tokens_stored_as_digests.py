"""API tokens are stored as digests: each stored token's key becomes its digest in place, so
every token handed out before keeps working (authentication digests the presented token).

The digest is frozen here as ``roles.auth.token_digest`` computes it today. Going back
cannot restore a token from its digest: the rows stay (as digests) and their holders ask
/api/token/ for a new one.
"""

import hashlib

from django.db import migrations


def _digest(raw: str) -> str:
    return hashlib.blake2b(raw.encode(), digest_size=20, person=b"ops-api-token").hexdigest()


def digest_keys(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    for key in list(Token.objects.values_list("key", flat=True)):
        Token.objects.filter(key=key).update(key=_digest(key))


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0005_alter_historicalmembertypeperiod_since_and_more"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(digest_keys, migrations.RunPython.noop, elidable=False)]
