"""Pieces of the diagrams' labels: HTML-like tables and rows, and the short
texts drawn in them (CIDRs, counts, AWS's names for services and gateways).

Model strings go through `vpcdsl.views.escaping` before they reach a row.
"""

from __future__ import annotations

from ..syntax import ast

MAX_ROUTE_ROWS = 6         # routes listed on a subnet (or a route edge) before "+N more"
MAX_PANEL_ROWS = 12        # records in a DNS panel, rules on a load balancer
MAX_CELL = 64              # characters of one panel cell before it is cut

_SERVICE_NAMES = {
    "s3": "Amazon S3", "dynamodb": "Amazon DynamoDB", "glacier": "S3 Glacier",
    "ssm": "Systems Manager", "ec2": "Amazon EC2 API", "sts": "AWS STS", "kms": "AWS KMS",
    "logs": "CloudWatch Logs", "ecr": "Amazon ECR", "sqs": "Amazon SQS", "sns": "Amazon SNS",
    "aws": "AWS public services",
}


def html_table(rows: list[str], *, color: str, fill: str = "white", border: int = 1,
               style: str = "ROUNDED") -> str:
    return (f'<<TABLE BORDER="{border}" COLOR="{color}" BGCOLOR="{fill}" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="2" STYLE="{style}">{"".join(rows)}</TABLE>>')


def table_row(content: str, *, port: str | None = None, align: str = "LEFT", colspan: int = 1,
              size: int | None = None, color: str | None = None) -> str:
    if size is not None or color is not None:
        font = ""
        if size is not None:
            font += f' POINT-SIZE="{size}"'
        if color is not None:
            font += f' COLOR="{color}"'
        content = f"<FONT{font}>{content}</FONT>"
    attrs = f' ALIGN="{align}"' + (f' COLSPAN="{colspan}"' if colspan > 1 else "")
    if port is not None:
        attrs += f' PORT="{port}"'
    return f"<TR><TD{attrs}>{content}</TD></TR>"


def cut(text: str, width: int = MAX_CELL) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def net_text(c: ast.Cidr | None) -> str:
    if c is None:
        return "no CIDR"
    return str(c.net) if c.net is not None else c.text


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def target_text(t: ast.Target) -> str:
    name = t.ref.name if isinstance(t.ref, ast.Ref) else t.ref.text
    text = f"{name}:{t.port}" if t.port is not None else name
    return text + " (down)" if t.down else text


def service_name(name: str) -> str:
    """AWS's name for a service (``s3``: Amazon S3); the name itself when there is none."""
    return _SERVICE_NAMES.get(name, name)
