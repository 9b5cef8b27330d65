"""Print who gets what from every URL of the project: one row per URL (or variant, or
admin group), one column per role. The same expectations the access-matrix test checks."""

import csv

from django.core.management.base import BaseCommand, CommandError

from members import access_matrix

SHORT = {
    200: "open",
    302: "redir",
    400: "400",
    403: "DENY",
    404: "404",
    405: "405",
    409: "409",
    410: "gone",
}

LEGEND = """\
open   200: the page opens (or the action is done)
redir  302: a redirect (visitors: to sign in; signed-in people: on to the next page)
DENY   403: refused, with a page saying why
404    404: not found (someone else's object looks like no object at all)
405    405: this action takes POST only, so a plain link does nothing
400    400: the request is answered with the form and its errors
gone   410: a link that was used, withdrawn or expired
Columns: {columns}
Rows marked [own], [other], [foreign] use one's own object, another member's, or
another member's object inside one's own organisation's URL (see each module's notes).
"""


class Command(BaseCommand):
    help = "Print the access matrix (roles x URLs) that tests/members/test_access_matrix.py checks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["text", "markdown", "csv"], default="text", help="Output format."
        )

    def handle(self, *args, **options):
        expectations = access_matrix.discover()
        rows = access_matrix.url_rows()
        table = self._table(expectations, rows)
        output_format = options["format"]
        if output_format == "csv":
            self._csv(table)
        elif output_format == "markdown":
            self._markdown(table)
        else:
            self._text(table)
        missing = access_matrix.missing(expectations, rows)
        if missing:
            names = ", ".join(row.name for row in missing)
            raise CommandError(f"{len(missing)} URL(s) have no access expectation: {names}")

    def _table(self, expectations, rows) -> list[dict]:
        table = []
        done: set[str] = set()
        group_sizes: dict[str, int] = {}
        for row in rows:
            for key in expectations.keys_for(row):
                if "*" in key:
                    group_sizes[key] = group_sizes.get(key, 0) + 1
        for row in rows:
            keys = expectations.keys_for(row)
            if not keys:
                table.append(
                    {"url": row.name, "route": "/" + row.route, "method": "", "statuses": {}}
                )
                continue
            for key in keys:
                if key in done:
                    continue
                done.add(key)
                route = "/" + row.route
                if "*" in key:
                    route = f"/{row.route.split('/')[0]}/... ({group_sizes[key]} URLs)"
                table.append(
                    {
                        "url": key,
                        "route": route,
                        "method": expectations.method(key).upper(),
                        "statuses": {
                            role: expectations.status(key, role) for role in access_matrix.ROLES
                        },
                        "source": expectations.sources[key],
                    }
                )
        return table

    def _cell(self, status) -> str:
        return SHORT.get(status, str(status)) if status is not None else "MISSING"

    def _text(self, table: list[dict]) -> None:
        roles = access_matrix.ROLES
        headers = ["URL", "method"] + [f"R{n}" for n in range(1, len(roles) + 1)]
        width = max(len(item["url"]) for item in table)
        columns = ", ".join(
            f"R{n} {access_matrix.ROLE_TITLES[role]}" for n, role in enumerate(roles, start=1)
        )
        self.stdout.write(LEGEND.format(columns=columns))
        self.stdout.write(
            f"{headers[0]:<{width}}  {headers[1]:<6}  " + " ".join(f"{h:<5}" for h in headers[2:])
        )
        self.stdout.write("-" * (width + 10 + 6 * len(roles)))
        for item in table:
            if not item["statuses"]:
                self.stdout.write(f"{item['url']:<{width}}  NO EXPECTATION  {item['route']}")
                continue
            cells = " ".join(f"{self._cell(item['statuses'][role]):<5}" for role in roles)
            self.stdout.write(f"{item['url']:<{width}}  {item['method']:<6}  {cells}")

    def _markdown(self, table: list[dict]) -> None:
        roles = access_matrix.ROLES
        titles = [access_matrix.ROLE_TITLES[role] for role in roles]
        self.stdout.write("| URL | Path | Method | " + " | ".join(titles) + " |")
        self.stdout.write("| --- | --- | --- |" + " --- |" * len(roles))
        for item in table:
            cells = [
                access_matrix.describe(item["statuses"].get(role))
                if item["statuses"]
                else "MISSING"
                for role in roles
            ]
            self.stdout.write(
                f"| `{item['url']}` | `{item['route']}` | {item['method']} | "
                + " | ".join(cells)
                + " |"
            )

    def _csv(self, table: list[dict]) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        roles = access_matrix.ROLES
        writer.writerow(["url", "path", "method", *roles])
        for item in table:
            writer.writerow(
                [
                    item["url"],
                    item["route"],
                    item["method"],
                    *[item["statuses"].get(role, "MISSING") for role in roles],
                ]
            )
