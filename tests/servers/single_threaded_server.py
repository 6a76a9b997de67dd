#!/usr/bin/python3
"""A server as Python's http.server is: one thread, one connection at a time (HTTP/1.0, closed
after each response), a listen queue of five, and over TLS the handshake done inside accept(),
so that a client which connected but sends nothing holds everybody else up.

Usage: single_threaded_server.py [--tls CERT KEY] [--backlog N]
Prints the port it listens on (127.0.0.1, chosen by the kernel), then serves GET /anything
with a 200 and a 200-byte body until killed. Answers GET /stats with what it saw:
"connections N" (not counting that one).
"""
import http.server
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        if self.path == "/stats":
            self.server.connections -= 1  # this one is not counted
            body = f"connections {self.server.connections}\n".encode()
        else:
            body = b"x" * 200
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    args = sys.argv[1:]
    tls = None
    backlog = 5
    while args:
        if args[0] == "--tls":
            tls = (args[1], args[2])
            args = args[3:]
        elif args[0] == "--backlog":
            backlog = int(args[1])
            args = args[2:]
        else:
            sys.exit(f"unknown argument {args[0]}")

    class Server(http.server.HTTPServer):
        request_queue_size = backlog
        connections = 0

        def get_request(self):
            request = super().get_request()
            self.connections += 1
            return request

        def handle_error(self, request, client_address):
            pass  # a client that went away: the next one

    server = Server(("127.0.0.1", 0), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
