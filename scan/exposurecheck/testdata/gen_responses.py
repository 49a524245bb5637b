# Writes testdata/responses/*.http, the real-shaped response corpus TestResponseCorpus scores
# (python3 testdata/gen_responses.py from scan/exposurecheck). Every value is fake: names,
# addresses and card numbers are random (Luhn-valid where a card must be), passwords start
# with "fake", and provider keys are {{PLACEHOLDERS}} the test builds at run time.
import random, os, json
random.seed(20261130)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "responses")
ERRORPAGES = os.path.join(HERE, "..", "..", "..", "exposure", "testdata", "errorpages")
os.makedirs(OUT, exist_ok=True)
for f in os.listdir(OUT):
    os.remove(os.path.join(OUT, f))
n = [0]
def emit(name, status, headers, body, **expect):
    n[0] += 1
    lines = []
    for fam in ["pii", "secret", "error", "trace", "cookie"]:
        v = expect.get(fam)
        if v:
            lines.append("# expect %s: %s" % (fam, " ".join(sorted(set(v)))))
    if expect.get("note"):
        lines.append("# note: " + expect["note"])
    reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error", 400: "Bad Request", 403: "Forbidden", 302: "Found", 503: "Service Unavailable"}[status]
    h = "HTTP/1.1 %d %s\r\n" % (status, reason)
    for k, v in headers:
        h += "%s: %s\r\n" % (k, v)
    text = "\n".join(lines) + ("\n" if lines else "") + h + "\r\n" + body
    with open(os.path.join(OUT, "%03d-%s.http" % (n[0], name)), "w") as fh:
        fh.write(text)

def luhn_complete(prefix, length):
    digits = prefix + "".join(random.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for c in "0123456789":
        s = digits + c
        tot = 0
        for i, d in enumerate(reversed(s)):
            d = int(d)
            if i % 2 == 1:
                d *= 2
                if d > 9: d -= 9
            tot += d
        if tot % 10 == 0:
            return s
def card():
    kind = random.choice(["visa", "mc", "amex", "disc"])
    if kind == "visa": return luhn_complete("4" + random.choice(["539","916","024","485","716"]), 16)
    if kind == "mc": return luhn_complete(random.choice(["51","52","53","54","55"]) + str(random.randint(10,99)), 16)
    if kind == "amex": return luhn_complete(random.choice(["34","37"]), 15)
    return luhn_complete("6011", 16)
def grp(c):
    if len(c) == 15: return c[:4] + " " + c[4:10] + " " + c[10:]
    return " ".join(c[i:i+4] for i in range(0, 16, 4))
FIRST = ["Maria","Jonas","Aiko","Priya","Tomasz","Leila","Diego","Hannah","Omar","Sofia","Kwame","Ingrid","Mateo","Yuki","Nadia","Lars"]
LAST = ["Okafor","Lindqvist","Tanaka","Raman","Kowalski","Haddad","Moreno","Becker","Farouk","Rossi","Mensah","Holm","Silva","Sato","Petrova","Berg"]
DOMS = ["northwind-mail.net","acme-health.org","blueharbor.io","fjordline-post.com","kestrel-bank.net","orchard-ledger.com"]
def person():
    f, l = random.choice(FIRST), random.choice(LAST)
    return f, l, "%s.%s@%s" % (f.lower(), l.lower(), random.choice(DOMS))
def phone():
    return random.choice(["+1 415 %03d %04d", "+44 20 7%03d %04d", "+49 30 %03d%04d", "(312) %03d-%04d"]) % (random.randint(200,899), random.randint(1000,9999))
def ssn():
    while True:
        a = random.randint(100, 665)
        if a != 666: break
    return "%03d-%02d-%04d" % (a, random.randint(10,99), random.randint(1000,9999))
def iban_de():
    bban = "".join(random.choice("0123456789") for _ in range(18))
    num = bban + "131400"  # D=13 E=14 00
    chk = 98 - int(num) % 97
    return "DE%02d%s" % (chk, bban)
def iban_spaced(i): return " ".join(i[k:k+4] for k in range(0, len(i), 4))
def hexs(k): return "".join(random.choice("0123456789abcdef") for _ in range(k))
def alnum(k): return "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(k))
HTML = [("Content-Type", "text/html; charset=utf-8")]
JSONH = [("Content-Type", "application/json")]
CSVH = [("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=export.csv")]
TEXT = [("Content-Type", "text/plain; charset=utf-8")]

# 1. HTML receipts with full card numbers (and the buyer's email)
for i in range(14):
    f, l, e = person(); c = card()
    shown = grp(c) if i % 2 else c
    body = """<!doctype html>
<html><head><title>Receipt #%d</title></head>
<body>
<h1>Thank you for your order, %s</h1>
<table class="receipt">
<tr><td>Order</td><td>ORD-%d-%04d</td></tr>
<tr><td>Date</td><td>2026-%02d-%02d 14:%02d</td></tr>
<tr><td>Billed to</td><td>%s %s &lt;%s&gt;</td></tr>
<tr><td>Card number</td><td>%s</td></tr>
<tr><td>Total</td><td>EUR %d.%02d</td></tr>
</table>
<p>Questions? Reply to this email.</p>
</body></html>
""" % (random.randint(10000,99999), f, random.randint(2024,2026), random.randint(1,9999), random.randint(1,12), random.randint(1,28), random.randint(0,59), f, l, e, shown, random.randint(5,900), random.randint(0,99))
    emit("receipt-card", 200, HTML, body, pii=["payment-card", "email"])

# 2. CSV exports with card numbers and emails
for i in range(10):
    rows = ["order_id,customer,email,card_number,amount,currency"]
    for j in range(random.randint(2, 6)):
        f, l, e = person()
        rows.append("%d,%s %s,%s,%s,%d.%02d,EUR" % (700000 + random.randint(0, 99999), f, l, e, card(), random.randint(5, 500), random.randint(0, 99)))
    emit("csv-cards", 200, CSVH, "\n".join(rows) + "\n", pii=["payment-card", "email"])

# 3. Health/status endpoints with connection URLs carrying passwords
for i in range(22):
    pw = "fake" + alnum(10)
    kind = i % 5
    if kind == 0:
        body = json.dumps({"status": "UP", "components": {"db": {"status": "UP", "details": {"database": "PostgreSQL", "url": "jdbc:postgresql://db-%d.internal:5432/orders?user=orders&password=%s" % (i, pw)}}, "diskSpace": {"status": "UP", "details": {"total": 107374182400, "free": 52183441408}}}}, indent=2)
    elif kind == 1:
        body = json.dumps({"status": "ok", "broker": "amqp://svc-orders:%s@rabbitmq.internal:5672/prod" % pw, "queues": {"orders": 12, "emails": 0}}, indent=2)
    elif kind == 2:
        body = json.dumps({"healthy": True, "checks": [{"name": "cache", "target": "redis://:%s@redis-master.internal:6379/0" % pw, "latency_ms": 1.2}, {"name": "db", "ok": True}]}, indent=2)
    elif kind == 3:
        body = json.dumps({"app": "billing", "version": "2.14.%d" % i, "database_url": "postgres://billing:%s@10.0.%d.15:5432/billing" % (pw, i), "uptime_s": 86400 * i + 17}, indent=2)
    else:
        body = json.dumps({"status": "degraded", "dependencies": {"mysql": "mysql://reporting:%s@mysql.internal:3306/reports" % pw, "mongo": "mongodb://analytics:%s@mongo-0.internal:27017/events?authSource=admin" % ("fake" + alnum(9))}}, indent=2)
    emit("health-urls", 200, JSONH, body + "\n", secret=["database-url"])

# 3b. Health endpoints without credentials (hard negatives)
for i in range(8):
    body = json.dumps({"status": "UP", "components": {"db": {"status": "UP", "details": {"url": "jdbc:postgresql://db.internal:5432/orders"}}, "redis": {"host": "redis.internal", "port": 6379}, "broker": "amqp://rabbitmq.internal:5672/", "cache_url": "redis://cache.internal:6379/%d" % i}}, indent=2)
    emit("health-nocreds", 200, JSONH, body + "\n", note="connection URLs without credentials")

# 4. 404 pages echoing the requested email
for i in range(12):
    f, l, e = person()
    if i % 2:
        body = """<!DOCTYPE html><html><head><title>Not found</title></head><body>
<main><h1>We couldn't find that account</h1>
<p>No account matches <strong>%s</strong>. Check the address or <a href="/signup">create an account</a>.</p></main>
</body></html>
""" % e
        emit("404-email-html", 404, HTML, body, pii=["email"])
    else:
        body = json.dumps({"type": "https://api.%s/problems/not-found" % "orchard-ledger.com", "title": "Not Found", "status": 404, "detail": "No user with email %s" % e}) + "\n"
        emit("404-email-json", 404, [("Content-Type", "application/problem+json")], body, pii=["email"])

# 5. Django technical 500 HTML with DATABASES
DJ500 = open(os.path.join(ERRORPAGES, "django-500.html")).read()
for i in range(10):
    db = "db%d.internal" % i
    dbblock = """<tr><td>DATABASES</td><td class="code"><pre>{'default': {'ATOMIC_REQUESTS': False,
             'ENGINE': 'django.db.backends.postgresql',
             'HOST': '%s',
             'NAME': 'shop_%d',
             'PASSWORD': '********************',
             'PORT': '5432',
             'USER': 'shop'}}</pre></td></tr>
""" % (db, i)
    body = DJ500.replace("</table>", dbblock + "</table>", 1) if "</table>" in DJ500 else DJ500 + dbblock
    emit("django-500-databases", 500, HTML, body, error=["debug-page"], secret=["database-url"], note="Django masks PASSWORD but not a DSN held in another setting")

# 5b. Django technical 500 plain text (API clients)
DJ500T = open(os.path.join(ERRORPAGES, "django-500.txt")).read()
for i in range(4):
    emit("django-500-text", 500, TEXT, DJ500T.replace("DATABASES", "DATABASES", 1) + "\nDATABASES = {'default': {'HOST': 'pg-%d.internal', 'NAME': 'api', 'PASSWORD': '********************', 'USER': 'api'}}\n" % i, error=["debug-page"])

# 6. JSON errors with internal file paths / tracebacks
for i in range(16):
    k = i % 4
    if k == 0:
        body = json.dumps({"error": "KeyError", "message": "'customer_id'", "traceback": "Traceback (most recent call last):\n  File \"/app/api/views/orders.py\", line %d, in create\n    cid = payload['customer_id']\nKeyError: 'customer_id'\n" % (40 + i)})
    elif k == 1:
        body = json.dumps({"detail": "Internal error", "exception": "FileNotFoundError", "file": "/srv/billing/app/services/invoice_%d.py" % i, "line": 120 + i})
    elif k == 2:
        body = json.dumps({"message": "Cannot read properties of undefined (reading 'id')", "stack": "TypeError: Cannot read properties of undefined (reading 'id')\n    at getOrder (/usr/src/app/routes/orders.js:%d:21)\n    at Layer.handle [as handle_request] (/usr/src/app/node_modules/express/lib/router/layer.js:95:5)" % (30 + i)})
    else:
        body = json.dumps({"timestamp": "2026-11-%02dT10:00:00Z" % (i + 1), "status": 500, "error": "Internal Server Error", "trace": "java.lang.NullPointerException: null\n\tat com.acme.orders.OrderService.find(OrderService.java:%d)\n\tat com.acme.orders.OrderController.get(OrderController.java:41)\n" % (60 + i), "path": "/api/orders/%d" % i})
    emit("json-error-paths", 500, JSONH, body + "\n", trace=["stack-trace"])

# 7. Django SECRET_KEY in a settings dump
DJCH = "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)"
for i in range(8):
    key = "".join(random.choice(DJCH) for _ in range(50))
    if i % 2:
        key = "django-insecure-" + key
    if i % 3 == 0:
        body = "# settings dump\nDEBUG = False\nALLOWED_HOSTS = ['api.orchard-ledger.com']\nSECRET_KEY = '%s'\nTIME_ZONE = 'UTC'\n" % key
        emit("settings-dump-text", 200, TEXT, body, secret=["django-secret-key"])
    else:
        body = json.dumps({"settings": {"DEBUG": False, "SECRET_KEY": key, "LANGUAGE_CODE": "en-us", "USE_TZ": True}}, indent=2) + "\n"
        emit("settings-dump-json", 200, JSONH, body, secret=["django-secret-key"])

# 8. Provider keys in JSON (built at test time from placeholders)
PROV = [("{{AWS_KEY_ID}}", "aws-access-key-id", "aws_access_key_id"), ("{{STRIPE_SK}}", "stripe-secret-key", "stripe_key"), ("{{GITHUB_TOKEN}}", "github-token", "deploy_token"), ("{{SLACK_TOKEN}}", "slack-token", "slack_bot_token"), ("{{GOOGLE_KEY}}", "google-api-key", "maps_server_key")]
for i in range(10):
    ph, det, key = PROV[i % len(PROV)]
    body = json.dumps({"integration": {"name": "sync-%d" % i, key: ph, "enabled": True}}, indent=2) + "\n"
    emit("provider-key", 200, JSONH, body, secret=[det])

# 9. Insecure session cookies
for i in range(10):
    val = alnum(32)
    k = i % 3
    if k == 0:
        hdr = "sessionid=%s; Path=/; SameSite=Lax" % val
        exp = ["sessionid/no-httponly", "sessionid/no-secure"]
    elif k == 1:
        hdr = "laravel_session=%s; path=/; httponly; samesite=none" % val
        exp = ["laravel_session/no-secure", "laravel_session/samesite-none"]
    else:
        hdr = "JSESSIONID=%s; Path=/; Secure" % val
        exp = ["JSESSIONID/no-httponly"]
    emit("cookie-insecure", 200, JSONH + [("Set-Cookie", hdr)], json.dumps({"ok": True}) + "\n", cookie=exp)

# 10. SSNs, IBANs, phones
for i in range(5):
    rows = ["employee_id,name,ssn,start_date"]
    for j in range(3):
        f, l, e = person()
        rows.append("E%05d,%s %s,%s,2021-%02d-01" % (random.randint(1, 99999), f, l, ssn(), random.randint(1, 12)))
    emit("hr-ssn", 200, CSVH, "\n".join(rows) + "\n", pii=["us-ssn"])
for i in range(5):
    ib = iban_de()
    body = json.dumps({"payout": {"beneficiary": "%s %s" % (random.choice(FIRST), random.choice(LAST)), "iban": iban_spaced(ib) if i % 2 else ib, "amount": "%d.00" % random.randint(10, 9000)}}) + "\n"
    emit("payout-iban", 200, JSONH, body, pii=["iban"])
for i in range(6):
    f, l, e = person()
    body = json.dumps({"id": 1000 + i, "name": "%s %s" % (f, l), "email": e, "phone": phone()}) + "\n"
    emit("profile", 200, JSONH, body, pii=["email", "phone"])

# ---- hard negatives ----
# a. masked secrets
for i in range(14):
    k = i % 5
    if k == 0: body = json.dumps({"stripe": {"secret_key": "sk_live_" + "\u2026" + "XXXX" + str(random.randint(1000, 9999))[:0] + "4f2a"[:0] + "XXXX"}})
    elif k == 1: body = json.dumps({"db": {"password": "********", "user": "app"}, "api_key": "****************"})
    elif k == 2: body = "DATABASE_URL=postgres://app:********@db.internal:5432/app\nSECRET_KEY=********************\n"
    elif k == 3: body = json.dumps({"token": "ghp_" + "*" * 36, "aws_secret_access_key": "<redacted>", "note": "values hidden"})
    else: body = json.dumps({"card": "**** **** **** %04d" % random.randint(0, 9999), "api_key": "sk_live_...%04d" % random.randint(0, 9999)})
    emit("masked-secrets", 200, JSONH, body + "\n", note="masked values")
# b. publishable keys next to reCAPTCHA site keys
for i in range(10):
    body = """<!doctype html><html><head><title>Checkout</title>
<script src="https://js.stripe.com/v3/"></script>
<script src="https://www.google.com/recaptcha/api.js?render={{RECAPTCHA_SITE}}"></script>
</head><body>
<form id="pay" data-stripe-key="{{STRIPE_PK}}">
<div class="g-recaptcha" data-sitekey="{{RECAPTCHA_SITE}}"></div>
<button>Pay</button></form>
<script>const stripe = Stripe('{{STRIPE_PK}}');</script>
</body></html>
"""
    emit("publishable-keys", 200, HTML, body, note="publishable and site keys are public by design")
# c. version strings and build numbers that look like phone numbers
for i in range(14):
    k = i % 7
    if k == 0: body = json.dumps({"version": "4.15.%d.5550" % random.randint(100, 999), "build": "2026.06.12.%04d" % random.randint(1000, 9999)})
    elif k == 1: body = json.dumps({"app": "orders", "build_number": "415-555-%04d" % random.randint(1000, 9999)[:0] if False else "20260612-1534-%02d" % i, "commit": hexs(12)})
    elif k == 2: body = "Server build 10.0.19045.%d (x64)\nKernel 6.1.0-%d-amd64\n" % (random.randint(1000, 9999), random.randint(10, 30))
    elif k == 3: body = json.dumps({"release": "v3.212.%d" % random.randint(100, 999), "schema": 202606121534, "id": random.randint(10**9, 10**10)})
    elif k == 4: body = json.dumps({"sku": "SKU-4155-5501-%02d" % i, "ean": "4006381333931", "price": 129.90})
    elif k == 5: body = json.dumps({"trace_id": hexs(32), "span_id": hexs(16), "duration_ns": random.randint(10**8, 10**9)})
    else: body = json.dumps({"version": "%d.%d.%d" % (random.randint(1, 9), random.randint(0, 20), random.randint(0, 99)), "build_date": "2026-06-12T15:34:00Z", "build": "+1.415.555.%d" % random.randint(1000, 9999)})
    emit("version-numbers", 200, JSONH, body + "\n", note="numbers that are not phone numbers")
# d. file paths in ordinary 200 bodies
for i in range(10):
    k = i % 5
    if k == 0: body = json.dumps({"export": {"status": "done", "file": "/var/data/exports/report-%d.json" % i, "rows": 1200 + i}})
    elif k == 1: body = json.dumps({"docs": ["/usr/share/doc/api/guide.html", "/usr/share/doc/api/changelog.html"]})
    elif k == 2: body = "<html><body><h1>Deploy notes</h1><p>Config lives in <code>/etc/orders/app.yaml</code>; templates in <code>/opt/orders/templates/base.html</code>.</p></body></html>"
    elif k == 3: body = json.dumps({"backup": {"path": "/srv/backups/db-2026-06-12.sql.gz", "size": 123456789}})
    else: body = json.dumps({"upload": {"stored_as": "/mnt/media/uploads/2026/06/avatar_%d.png" % i}})
    ct = HTML if k == 2 else JSONH
    emit("paths-200", 200, ct, body + "\n", note="paths in a successful answer are content, not an error page")
# e. lowercase cookie attributes and well-set cookies
for i in range(10):
    k = i % 3
    if k == 0: hdr = "sessionid=%s; expires=Thu, 31 Dec 2026 23:59:59 GMT; httponly; max-age=1209600; path=/; samesite=lax; secure" % alnum(32)
    elif k == 1: hdr = "__Host-session=%s; path=/; secure; httponly; samesite=strict" % alnum(40)
    else: hdr = "theme=dark; Path=/"
    emit("cookie-ok", 200, JSONH + [("Set-Cookie", hdr)], json.dumps({"ok": True}) + "\n", note="secure cookies, lower-case attributes")
# f. ordinary bodies
for i in range(10):
    k = i % 4
    if k == 0: body = json.dumps({"orders": [{"id": "%s-%s-%s-%s-%s" % (hexs(8), hexs(4), hexs(4), hexs(4), hexs(12)), "total": random.randint(1, 999), "created": "2026-06-%02dT10:%02d:00Z" % (random.randint(1, 28), random.randint(0, 59))} for _ in range(3)]})
    elif k == 1: body = "id,product,qty,unit_price\n" + "\n".join("%d,Widget %d,%d,%d.%02d" % (random.randint(10**6, 10**7), j, random.randint(1, 9), random.randint(1, 99), random.randint(0, 99)) for j in range(5))
    elif k == 2: body = "<!doctype html><html><head><title>Status</title></head><body><h1>All systems operational</h1><p>Last incident: 2026-05-02.</p></body></html>"
    else: body = json.dumps({"type": "about:blank", "title": "Internal Server Error", "status": 500, "detail": "An unexpected error occurred. Reference: %s" % hexs(16)})
    st = 500 if k == 3 else 200
    ct = CSVH if k == 1 else HTML if k == 2 else ([("Content-Type", "application/problem+json")] if k == 3 else JSONH)
    emit("ordinary", st, ct, body + "\n")
# g. masked cards in receipts, test values, production error pages
for i in range(6):
    f, l, e = person()
    body = "<html><body><h1>Receipt</h1><p>Paid with Visa ending in %04d (**** **** **** %04d)</p><p>Card: XXXX-XXXX-XXXX-%04d</p></body></html>\n" % ((random.randint(0, 9999),) * 3)
    emit("receipt-masked", 200, HTML, body, note="masked card numbers")
for i in range(4):
    body = json.dumps({"test_card": "4111 1111 1111 1111", "doc_ssn": "219-09-9999", "contact": "support@example.com"}) + "\n"
    emit("test-values", 200, JSONH, body, note="known test values are reported apart, not as personal data")
for name in ["neg-prod-404.html", "neg-prod-400.html", "neg-404.json", "neg-problem.json", "neg-blog.html"]:
    body = open(os.path.join(ERRORPAGES, name)).read()
    st = 404 if "404" in name else 400 if "400" in name else 500 if "problem" in name else 200
    ct = HTML if name.endswith(".html") else JSONH
    emit("errorpage-" + name.split(".")[0], st, ct, body, note="production error pages")
# h. other framework debug pages / traces
for name, exp in [("werkzeug.html", dict(error=["debug-page"], secret=["generic-secret"], note="the Werkzeug debugger embeds its console SECRET")), ("rails.html", dict(error=["debug-page"])), ("spring-whitelabel.html", dict(error=["debug-page"])), ("express-trace.html", dict(trace=["stack-trace"])), ("java-trace.txt", dict(trace=["stack-trace"])), ("python-traceback.txt", dict(trace=["stack-trace"])), ("django-404.html", dict(error=["debug-page"])), ("django-disallowedhost.txt", dict(error=["debug-page"]))]:
    body = open(os.path.join(ERRORPAGES, name)).read()
    ct = HTML if name.endswith(".html") else TEXT
    st = 404 if "404" in name else 400 if "disallowed" in name else 500
    emit("errorpage-" + name.split(".")[0], st, ct, body, **exp)
print(n[0])
