"""Vultr API v2, the part DNS-01 uses: DNS domain records.

Follows:
  https://www.vultr.com/api/#tag/dns/operation/list-dns-domain-records (`per_page` ≤ 500,
    `cursor`; {"records": [...], "meta": {"total", "links": {"next", "prev"}}})
  https://www.vultr.com/api/#tag/dns/operation/create-dns-domain-record (body name, type, data,
    ttl, priority; 201 with `record`)
  https://www.vultr.com/api/#tag/dns/operation/delete-dns-domain-record (204)
  https://www.vultr.com/api/#section/Introduction/Meta-and-Pagination (cursor pagination: pass
    `meta.links.next` as `cursor` until it is empty)
  https://www.vultr.com/api/#section/Introduction/Authentication (Authorization: Bearer <key>)

Checked: the Bearer key (credential `token`; 401 otherwise); the domain exists (404); `per_page`
1–500 and `cursor` one this server handed out (400 otherwise); the create body (type TXT, name
relative to the domain or empty for the domain itself, data non-empty, ttl a whole number, no
unknown fields); 201 with `record`; delete of an unknown record 404. Errors are Vultr's
{"error": …, "status": …}.
Test knob: credential `page_cap` makes pages shorter than `per_page` asks.
Not checked: the API key's IP access control list, the rate limit of 30 requests per second,
whether TXT data carries its quotes (Vultr shows what was sent; the stand-in publishes it
unquoted), record types other than TXT.
"""
import base64
import uuid

from provider_api import ApiError

RECORDS = r"^/v2/domains/(?P<domain>[^/]+)/records"


class Rules:
    def __init__(self, lab):
        self.lab = lab
        self.records = {}

    def routes(self):
        return [
            ("GET", RECORDS + "$", self.list_records),
            ("POST", RECORDS + "$", self.create_record),
            ("DELETE", RECORDS + r"/(?P<id>[0-9a-f-]{36})$", self.delete_record),
        ]

    @staticmethod
    def error(status, message):
        return ApiError(status, {"error": message, "status": status})

    def authenticate(self, request):
        if request.headers.get("Authorization", "") != "Bearer " + self.lab.credentials.get("token", ""):
            raise self.error(401, "Invalid API token.")

    def domain(self, request):
        domain = request.match.group("domain").lower()
        if domain not in self.lab.zones:
            raise self.error(404, "Domain not found.")
        return domain

    @staticmethod
    def full_name(name, domain):
        return "%s.%s" % (name, domain) if name else domain

    def list_records(self, request):
        domain = self.domain(request)
        try:
            per_page = int(request.arg("per_page", "100"))
        except ValueError:
            raise self.error(400, "per_page must be an integer")
        if not 1 <= per_page <= 500:
            raise self.error(400, "per_page must be between 1 and 500")
        per_page = min(per_page, int(self.lab.credentials.get("page_cap", per_page)))
        start = 0
        if request.arg("cursor"):
            try:
                start = int(base64.b64decode(request.arg("cursor")).decode().removeprefix("next__"))
            except ValueError:
                raise self.error(400, "Invalid cursor")
        with self.lab.lock:
            records = [{k: v for k, v in r.items() if k != "domain"} for r in self.records.values() if r["domain"] == domain]
        chosen = records[start: start + per_page]
        following = start + per_page
        next_cursor = base64.b64encode(("next__%d" % following).encode()).decode() if following < len(records) else ""
        previous = base64.b64encode(("next__%d" % max(0, start - per_page)).encode()).decode() if start else ""
        return 200, {"records": chosen, "meta": {"total": len(records), "links": {"next": next_cursor, "prev": previous}}}

    def create_record(self, request):
        domain = self.domain(request)
        body = request.json(lambda message: self.error(400, message))
        if not isinstance(body, dict):
            raise self.error(400, "the request body must be a JSON object")
        unknown = set(body) - {"name", "type", "data", "ttl", "priority"}
        if unknown:
            raise self.error(400, "unknown fields: %s" % ", ".join(sorted(unknown)))
        if body.get("type") != "TXT":
            raise self.error(400, "this stand-in serves TXT records only")
        name, data, ttl = body.get("name", ""), body.get("data"), body.get("ttl", 300)
        if not isinstance(name, str) or name.endswith(".") or name.lower() == domain or name.lower().endswith("." + domain):
            raise self.error(400, "name must be relative to the domain (empty for the domain itself)")
        if not isinstance(data, str) or not data:
            raise self.error(400, "data is required")
        if not isinstance(ttl, int) or ttl < 0:
            raise self.error(400, "ttl must be a whole number of seconds")
        with self.lab.lock:
            record = {"id": str(uuid.uuid4()), "type": "TXT", "name": name.lower(), "data": data, "priority": body.get("priority", -1),
                      "ttl": ttl, "domain": domain}
            try:
                self.lab.publish(True, self.full_name(record["name"], domain), data.strip('"'), ttl or 300)
            except RuntimeError as failure:
                raise self.error(500, str(failure))
            self.records[record["id"]] = record
        return 201, {"record": {k: v for k, v in record.items() if k != "domain"}}

    def delete_record(self, request):
        domain = self.domain(request)
        with self.lab.lock:
            record = self.records.get(request.match.group("id"))
            if record is None or record["domain"] != domain:
                raise self.error(404, "Record not found.")
            self.lab.publish(False, self.full_name(record["name"], domain), record["data"].strip('"'))
            del self.records[record["id"]]
        return 204, None

    def snapshot(self):
        with self.lab.lock:
            return list(self.records.values())
