/*
 * milter-client.c - an MTA-side milter client for signpost's tests and
 * benchmarks: it speaks the milter protocol (version 6) to a milter the way
 * Postfix does (see milter-client-proto.h for what that means in detail).
 *
 * Test mode sends one or more message files on one connection and prints,
 * per message, the final reply and the modification requests; with -o it
 * writes each message with the milter's header edits applied (CRLF line
 * ends), ready for an independent DKIM verifier. Load mode (--load) drives
 * the milter from many connections at once and reports msgs/s, latency
 * percentiles and the count of each reply (milter-client-load.c).
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <libmilter/mfdef.h>

#include "milter-client-internal.h"

static const char usage_text[] =
"usage: milter-client -s SOCKET [options] MESSAGE...          (test mode)\n"
"       milter-client -s SOCKET --load [load options] MESSAGE  (load mode)\n"
"\n"
"Speaks the milter protocol (version 6) to the milter at SOCKET as Postfix\n"
"does: SMFIC_OPTNEG offering every action and step, macros before every\n"
"event, headers with SMFIP_HDR_LEADSPC when negotiated, the body with CRLF\n"
"line ends in chunks of 65,535 bytes, SMFIC_ABORT after every message.\n"
"\n"
"Session and envelope:\n"
"  -s, --socket SPEC      unix:PATH, PATH, inet:PORT@HOST or inet:HOST:PORT\n"
"  -a, --client-addr A    SMTP client address (default 127.0.0.1)\n"
"  -N, --client-name N    client host name (default localhost; unknown: none)\n"
"  -P, --client-port N    client port (default 41234)\n"
"  -H, --helo NAME        HELO name (default client.example.org)\n"
"  -u, --auth USER        the client authenticated as USER ({auth_authen})\n"
"      --auth-type MECH   SASL mechanism for {auth_type} (default PLAIN)\n"
"  -f, --from ADDR        envelope sender (default sender@example.com)\n"
"  -F, --mail-arg PARAM   an ESMTP parameter of MAIL FROM (SIZE=4096,\n"
"                         BODY=8BITMIME), repeatable; smtpd passes them on\n"
"  -r, --rcpt ADDR        envelope recipient, repeatable (default rcpt@example.net)\n"
"  -j, --hostname NAME    MTA host name for j and {daemon_name} (default mx.example.com)\n"
"  -D, --macro NAME=VAL   give macro NAME this value (NAME= : undefined);\n"
"                         NAME as Postfix lists it: j, {client_addr}, ...\n"
"      --macros STAGE=LIST macro names sent at STAGE (connect helo mail rcpt\n"
"                         data eoh eom), like Postfix's milter_STAGE_macros;\n"
"                         default Postfix's; the milter's smfi_setsymlist wins\n"
"      --no-leadspc       do not offer SMFIP_HDR_LEADSPC, as Sendmail and old\n"
"                         Postfix: header values lose one leading space\n"
"      --raw-body         send the body bytes untouched (default: every line\n"
"                         ends in CRLF, a last partial line too, as Postfix)\n"
"  -t, --timeout SECS     wait this long for each reply (default 60)\n"
"  -v, --verbose          trace the conversation on stderr (twice: packets)\n"
"\n"
"Test mode: stdout gets one line per modification request and per message:\n"
"    N mod CODE INDEX NAME       (CODE: insheader addheader chgheader other)\n"
"    N reply VERDICT [TEXT]      (continue accept tempfail reject discard\n"
"                                 replycode shutdown aborted dropped error)\n"
"  -o, --output FILE      write message N with the milter's edits applied to\n"
"                         FILE (one message) or FILE.N (several); '-' means\n"
"                         stdout, and the reply lines then go to stderr\n"
"      --received TEXT    prepend \"Received: TEXT\" that the milter does not see\n"
"                         but that insert positions count, as Postfix's own\n"
"      --abort N:POINT    send SMFIC_ABORT in message N at POINT, then go on\n"
"      --drop N:POINT     close the connection in message N at POINT; the\n"
"                         next message comes on a new connection\n"
"      --pause N:POINT:SECS   sleep at POINT of message N\n"
"      --wait N:POINT:PATH    at POINT create PATH.reached, then wait (up to\n"
"                         10 minutes) until PATH exists\n"
"    POINT: start mail rcpt data headers eoh body:BYTES eob (body:BYTES fires\n"
"    at the first chunk boundary at or past BYTES body bytes)\n"
"\n"
"Load mode: every connection sends MESSAGE over and over.\n"
"  -L, --load             load mode\n"
"  -c, --connections N    parallel connections (default 1)\n"
"  -m, --messages M       messages per connection (default 100)\n"
"  -T, --seconds T        send for T seconds instead of M messages\n"
"      --hold             open every connection (OPTNEG, CONNECT, HELO) before\n"
"                         any sends a message, keep all open until all are done\n"
"      --rate R           R messages per second in all, evenly spread over the\n"
"                         connections, each sent at its planned time (or at\n"
"                         once when the one before it is late); a message's\n"
"                         time then counts from its planned start, so a\n"
"                         stall also counts in the messages queued behind it\n"
"  Prints one line: connections= messages= seconds= msgs_per_s= p50_ms=\n"
"  p99_ms= max_ms= accept= signed= tempfail= reject= other= errors=\n"
"  (accept counts continue and accept; signed those with a header added).\n"
"\n"
"Exit: 0 every message got a reply, 1 a connection or protocol error,\n"
"2 usage or I/O error.\n";

struct options {
	struct mc_env env;
	struct sp_list rcpts;
	struct mc_hook *hooks;
	size_t nhooks;
	const char *socket;
	const char *output;
	const char *received;
	bool raw_body;
	bool no_leadspc;
	struct mc_load_opts load;
	bool load_mode;
};

static void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "milter-client: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(milter-client -h for help)\n");
	exit(2);
}

static unsigned long
number(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		usage_error("bad number for %s", what);
	return v;
}

static double
positive(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0))
		usage_error("%s wants a number above 0", what);
	return v;
}

static const char *const stage_names[MC_STAGE_COUNT] = {
	[MC_STAGE_CONNECT] = "connect", [MC_STAGE_HELO] = "helo",
	[MC_STAGE_MAIL] = "mail", [MC_STAGE_RCPT] = "rcpt",
	[MC_STAGE_DATA] = "data", [MC_STAGE_EOM] = "eom", [MC_STAGE_EOH] = "eoh",
};

static void
set_macro_list(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	for (int i = 0; eq != NULL && i < MC_STAGE_COUNT; i++) {
		if (strlen(stage_names[i]) == (size_t)(eq - arg)
		    && strncmp(arg, stage_names[i], (size_t)(eq - arg)) == 0) {
			free(o->env.macro_lists[i]);
			o->env.macro_lists[i] = sp_xstrdup(eq + 1);
			return;
		}
	}
	usage_error("--macros wants STAGE=LIST with STAGE one of connect helo "
	    "mail rcpt data eoh eom, not %s", arg);
}

static void
add_macro(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		usage_error("--macro wants NAME=VALUE, not %s", arg);
	/* Accept client_addr for {client_addr}: multi-letter names need braces. */
	if (eq - arg > 1 && arg[0] != '{')
		sp_list_add_owned(&o->env.extra, sp_xasprintf("{%.*s}%s",
		    (int)(eq - arg), arg, eq));
	else
		sp_list_add(&o->env.extra, arg);
}

/* "N:POINT[:ARG]" with POINT "body:BYTES" taking one more field. */
static void
add_hook(struct options *o, enum mc_action action, const char *arg)
{
	static const char *const points[] = { "", "start", "mail", "rcpt", "data",
		"headers", "eoh", "body", "eob" };
	struct mc_hook h = { .action = action };
	char *copy = sp_xstrdup(arg), *p = copy, *field;
	bool want_arg = action == MC_DO_PAUSE || action == MC_DO_WAIT;

	field = strsep(&p, ":");
	h.msg_no = (unsigned)number(field, "the message number of a hook");
	if ((field = strsep(&p, ":")) == NULL)
		usage_error("hook %s needs N:POINT", arg);
	for (size_t i = 1; i < sizeof(points) / sizeof(points[0]); i++)
		if (strcmp(field, points[i]) == 0)
			h.point = (enum mc_point)i;
	if (h.point == MC_AT_NONE)
		usage_error("unknown point in hook %s", arg);
	if (h.point == MC_AT_BODY) {
		if ((field = strsep(&p, ":")) == NULL)
			usage_error("hook %s: body needs :BYTES", arg);
		h.body_bytes = number(field, "body:BYTES");
	}
	if (want_arg != (p != NULL))
		usage_error("hook %s: %s", arg, want_arg ? "needs a last :ARG" : "has extra fields");
	if (action == MC_DO_PAUSE)
		h.seconds = strtod(p, NULL);
	if (action == MC_DO_WAIT)
		h.path = sp_xstrdup(p);
	free(copy);
	o->hooks = sp_xrealloc(o->hooks, o->nhooks + 1, sizeof(*o->hooks));
	o->hooks[o->nhooks++] = h;
}

enum { OPT_AUTH_TYPE = 256, OPT_MACROS, OPT_RAW, OPT_RECEIVED, OPT_ABORT,
	OPT_DROP, OPT_PAUSE, OPT_WAIT, OPT_HOLD, OPT_RATE, OPT_NO_LEADSPC };

static const struct option long_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "client-addr", required_argument, NULL, 'a' },
	{ "client-name", required_argument, NULL, 'N' },
	{ "client-port", required_argument, NULL, 'P' },
	{ "helo", required_argument, NULL, 'H' },
	{ "auth", required_argument, NULL, 'u' },
	{ "auth-type", required_argument, NULL, OPT_AUTH_TYPE },
	{ "from", required_argument, NULL, 'f' },
	{ "mail-arg", required_argument, NULL, 'F' },
	{ "rcpt", required_argument, NULL, 'r' },
	{ "hostname", required_argument, NULL, 'j' },
	{ "macro", required_argument, NULL, 'D' },
	{ "macros", required_argument, NULL, OPT_MACROS },
	{ "raw-body", no_argument, NULL, OPT_RAW },
	{ "no-leadspc", no_argument, NULL, OPT_NO_LEADSPC },
	{ "timeout", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "output", required_argument, NULL, 'o' },
	{ "received", required_argument, NULL, OPT_RECEIVED },
	{ "abort", required_argument, NULL, OPT_ABORT },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "pause", required_argument, NULL, OPT_PAUSE },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "load", no_argument, NULL, 'L' },
	{ "connections", required_argument, NULL, 'c' },
	{ "messages", required_argument, NULL, 'm' },
	{ "seconds", required_argument, NULL, 'T' },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->env.client_addr = "127.0.0.1";
	o->env.client_name = "localhost";
	o->env.client_port = 41234;
	o->env.helo = "client.example.org";
	o->env.auth_type = "PLAIN";
	o->env.mail_from = "sender@example.com";
	o->env.myhostname = "mx.example.com";
	o->env.daemon_addr = "127.0.0.1";
	o->load.connections = 1;
	o->load.messages = 100;
	o->load.timeout_ms = 60000;
}

static void
parse_option(struct options *o, int ch, const char *arg)
{
	switch (ch) {
	case 's': o->socket = arg; break;
	case 'a': o->env.client_addr = arg; break;
	case 'N': o->env.client_name = arg; break;
	case 'P': o->env.client_port = (unsigned)number(arg, "--client-port"); break;
	case 'H': o->env.helo = arg; break;
	case 'u': o->env.auth_user = arg; break;
	case OPT_AUTH_TYPE: o->env.auth_type = arg; break;
	case 'f': o->env.mail_from = arg; break;
	case 'F': sp_list_add(&o->env.mail_args, arg); break;
	case 'r': sp_list_add(&o->rcpts, arg); break;
	case 'j': o->env.myhostname = arg; break;
	case 'D': add_macro(o, arg); break;
	case OPT_MACROS: set_macro_list(o, arg); break;
	case OPT_RAW: o->raw_body = true; break;
	case OPT_NO_LEADSPC: o->no_leadspc = true; break;
	case 't': o->load.timeout_ms = (int)(strtod(arg, NULL) * 1000); break;
	case 'v': o->load.verbose++; break;
	case 'o': o->output = arg; break;
	case OPT_RECEIVED: o->received = arg; break;
	case OPT_ABORT: add_hook(o, MC_DO_ABORT, arg); break;
	case OPT_DROP: add_hook(o, MC_DO_DROP, arg); break;
	case OPT_PAUSE: add_hook(o, MC_DO_PAUSE, arg); break;
	case OPT_WAIT: add_hook(o, MC_DO_WAIT, arg); break;
	case 'L': o->load_mode = true; break;
	case 'c': o->load.connections = (unsigned)number(arg, "--connections"); break;
	case 'm': o->load.messages = (unsigned)number(arg, "--messages"); break;
	case 'T': o->load.seconds = strtod(arg, NULL); break;
	case OPT_HOLD: o->load.hold = true; break;
	case OPT_RATE: o->load.rate = positive(arg, "--rate"); break;
	case 'h': fputs(usage_text, stdout); exit(0);
	default: fputs(usage_text, stderr); exit(2);
	}
}

static char *
read_file(const char *path, size_t *len)
{
	struct sp_buf b = SP_BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "milter-client: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sp_buf_append(&b, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "milter-client: reading %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (f != stdin)
		fclose(f);
	*len = b.len;
	return sp_buf_steal(&b);
}

static void
load_message(struct mc_msg *msg, const char *path, bool raw_body)
{
	size_t len;
	char *data = read_file(path, &len);

	mc_msg_parse(msg, data, len, raw_body);
	free(data);
}

static const char *
mod_name(const struct mc_mod *m)
{
	switch (m->type) {
	case MC_MOD_INSHEADER: return "insheader";
	case MC_MOD_ADDHEADER: return "addheader";
	case MC_MOD_CHGHEADER: return "chgheader";
	default: return "other";
	}
}

static int
write_output(const struct options *o, unsigned n, unsigned total, const struct sp_buf *b)
{
	char *path;
	FILE *f;
	int rc = 0;

	if (strcmp(o->output, "-") == 0) {
		fwrite(b->data, 1, b->len, stdout);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	path = total > 1 ? sp_xasprintf("%s.%u", o->output, n) : sp_xstrdup(o->output);
	if ((f = fopen(path, "wb")) == NULL
	    || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "milter-client: writing %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

/* Print the reply lines of message n and write its edited copy. */
static int
report(const struct options *o, const struct mc_conn *c, const struct mc_msg *msg,
    const struct mc_result *res, unsigned n, unsigned total)
{
	FILE *out = o->output && strcmp(o->output, "-") == 0 ? stderr : stdout;
	struct sp_buf b = SP_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < res->nmods; i++)
		fprintf(out, "%u mod %s %u %s\n", n, mod_name(&res->mods[i]),
		    (unsigned)res->mods[i].index,
		    res->mods[i].name ? res->mods[i].name : "-");
	fprintf(out, "%u reply %s%s%s\n", n, mc_verdict_name(res->verdict),
	    res->text ? " " : "", res->text ? res->text : "");
	fflush(out);
	if (o->output != NULL) {
		mc_msg_render(&b, msg, res, (c->events & SMFIP_HDR_LEADSPC) != 0,
		    o->received);
		rc = write_output(o, n, total, &b);
		sp_buf_free(&b);
	}
	return rc;
}

static int
open_conn(struct options *o, struct mc_conn *c)
{
	mc_conn_init(c, o->load.timeout_ms, o->load.verbose);
	if (o->no_leadspc)
		c->mta_events &= ~(uint32_t)SMFIP_HDR_LEADSPC;
	if (mc_connect(c, o->socket) == 0 && mc_open_session(c, &o->env) == 0)
		return 0;
	fprintf(stderr, "milter-client: %s: %s\n", o->socket, c->err);
	mc_conn_free(c);
	return -1;
}

static int
test_mode(struct options *o, char **files, unsigned nfiles)
{
	struct mc_conn c;
	int rc = 0;

	if (open_conn(o, &c) < 0)
		return 1;
	for (unsigned i = 0; i < nfiles; i++) {
		struct mc_msg msg;
		struct mc_result res;
		int t;

		load_message(&msg, files[i], o->raw_body);
		t = mc_transaction(&c, &o->env, &msg, o->hooks, o->nhooks, i + 1, &res);
		if (report(o, &c, &msg, &res, i + 1, nfiles) < 0)
			rc = 2;
		if (t < 0 || res.verdict == MC_V_ERROR) {
			fprintf(stderr, "milter-client: message %u: %s\n", i + 1,
			    res.text ? res.text : c.err);
			rc = rc ? rc : 1;
		}
		/* After a deliberate drop the next message comes in a new
		 * session, as the next SMTP client would bring one. */
		if (res.verdict == MC_V_DROPPED && i + 1 < nfiles) {
			mc_conn_free(&c);
			t = open_conn(o, &c);
		}
		mc_result_free(&res);
		mc_msg_free(&msg);
		if (t < 0) {
			rc = rc ? rc : 1;
			break;
		}
	}
	mc_quit(&c);
	mc_conn_free(&c);
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o;
	int ch, rc;

	defaults(&o);
	while ((ch = getopt_long(argc, argv, "s:a:N:P:H:u:f:F:r:j:D:t:vo:Lc:m:T:h",
	    long_options, NULL)) != -1)
		parse_option(&o, ch, optarg);
	if (o.socket == NULL)
		usage_error("%s", "-s SOCKET is required");
	if (optind >= argc)
		usage_error("%s", "no MESSAGE given");
	if (o.rcpts.n == 0)
		sp_list_add(&o.rcpts, "rcpt@example.net");
	o.env.rcpts = (const char *const *)o.rcpts.v;
	o.env.nrcpts = o.rcpts.n;
	if (o.load_mode) {
		struct mc_msg msg;

		if (argc - optind != 1)
			usage_error("%s", "load mode takes exactly one MESSAGE");
		o.load.socket = o.socket;
		load_message(&msg, argv[optind], o.raw_body);
		rc = mc_load_run(&o.load, &o.env, &msg);
		mc_msg_free(&msg);
	} else {
		rc = test_mode(&o, argv + optind, (unsigned)(argc - optind));
	}
	for (size_t i = 0; i < o.nhooks; i++)
		free(o.hooks[i].path);
	free(o.hooks);
	for (int i = 0; i < MC_STAGE_COUNT; i++)
		free(o.env.macro_lists[i]);
	sp_list_free(&o.rcpts);
	sp_list_free(&o.env.extra);
	sp_list_free(&o.env.mail_args);
	return rc;
}
