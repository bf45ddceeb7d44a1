#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) on 127.0.0.1 for herald's transport tests.

Started by tests/support/smtp_test_server.cpp. Talks on stdout, one line each:

    READY <port> <certificate file, with --starttls or --implicit-tls>
    MESSAGE from=<hex> to=<hex>,<hex>… auth=<hex login or nothing> tls=<0|1> data=<hex>

Text is hex so any byte survives. `data` is the message as received after the
DATA terminator and dot-stuffing are undone. Exits when stdin closes (so it
never outlives the test) or on SIGTERM.
"""

import argparse
import asyncio
import logging
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import warnings

from aiosmtpd.smtp import SMTP, AuthResult


def hexed(text):
    return (text.encode() if isinstance(text, str) else text or b"").hex()


class Recorder:
    def __init__(self, rcpt_reply, data_reply):
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        login = session.auth_data.login if session.authenticated and session.auth_data else b""
        print("MESSAGE",
              "from=" + hexed(envelope.mail_from),
              "to=" + ",".join(hexed(rcpt) for rcpt in envelope.rcpt_tos),
              "auth=" + hexed(login),
              "tls=" + ("1" if session.ssl or server.transport.get_extra_info("ssl_object") else "0"),
              "data=" + hexed(envelope.original_content),
              flush=True)
        return "250 2.0.0 OK queued"


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1, made fresh with openssl."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


async def serve(args, directory):
    loop = asyncio.get_running_loop()
    options = dict(hostname="herald-test", auth_require_tls=False, loop=loop)
    cert, implicit = "", None
    if args.starttls:
        cert, options["tls_context"] = make_certificate(directory)
        options["require_starttls"] = True
    elif args.implicit_tls:
        cert, implicit = make_certificate(directory)
    if args.user is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == args.user.encode() and auth_data.password == args.password.encode()
            return AuthResult(success=ok, handled=False, auth_data=auth_data)
        options.update(authenticator=authenticator, auth_required=True)
    if args.mechanisms:
        offered = args.mechanisms.upper().split(",")
        options["auth_exclude_mechanism"] = [m for m in ("LOGIN", "PLAIN") if m not in offered]

    handler = Recorder(args.rcpt_reply, args.data_reply)
    server = await loop.create_server(lambda: SMTP(handler, **options), host="127.0.0.1", port=0, ssl=implicit)
    print("READY", server.sockets[0].getsockname()[1], cert, flush=True)

    stop = loop.create_future()
    def finish():
        if not stop.done():
            stop.set_result(None)
    def on_stdin():
        if not os.read(sys.stdin.fileno(), 4096):
            finish()
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    loop.add_signal_handler(signal.SIGTERM, finish)
    await stop
    server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", help="require AUTH with this user name")
    parser.add_argument("--password", default="")
    parser.add_argument("--mechanisms", help="AUTH mechanisms to offer, e.g. PLAIN or LOGIN,PLAIN")
    parser.add_argument("--rcpt-reply", help='answer every RCPT with this, e.g. "550 5.1.1 no such user"')
    parser.add_argument("--data-reply", help='answer every message with this, e.g. "451 4.3.0 try later"')
    parser.add_argument("--starttls", action="store_true", help="offer and require STARTTLS, self-signed")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the start (smtps), self-signed")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    warnings.simplefilter("ignore")  # AUTH without TLS is what these tests do on loopback
    directory = tempfile.mkdtemp(prefix="herald-smtp-")
    try:
        asyncio.run(serve(args, directory))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
