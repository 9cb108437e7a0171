/*
 * test_cidr.c - internal_hosts networks: parsing (good entries beside bad
 * ones, with the reason) and matching client addresses given as text and as
 * socket addresses, IPv4, IPv6, IPv4-mapped IPv6, /0 and prefix boundaries.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "signpost/cidr.h"
#include "../tap.h"

struct parse_case {
	const char *name;
	const char *text;
	const char *want;       /* sp_cidr_format() of the result; NULL: refused */
	const char *why;        /* part of the reason when refused */
};

static const struct parse_case parse_cases[] = {
	{ "IPv4 network", "10.0.0.0/8", "10.0.0.0/8", NULL },
	{ "IPv4 bare address is /32", "192.0.2.7", "192.0.2.7/32", NULL },
	{ "IPv4 /32 written", "192.0.2.7/32", "192.0.2.7/32", NULL },
	{ "IPv4 /0", "0.0.0.0/0", "0.0.0.0/0", NULL },
	{ "IPv4 /31", "192.0.2.6/31", "192.0.2.6/31", NULL },
	{ "IPv4 /1", "128.0.0.0/1", "128.0.0.0/1", NULL },
	{ "IPv6 loopback bare is /128", "::1", "::1/128", NULL },
	{ "IPv6 network", "2001:db8::/32", "2001:db8::/32", NULL },
	{ "IPv6 /0", "::/0", "::/0", NULL },
	{ "IPv6 /127", "2001:db8::2/127", "2001:db8::2/127", NULL },
	{ "IPv6 in brackets", "[2001:db8::]/32", "2001:db8::/32", NULL },
	{ "IPv6 bare in brackets", "[::1]", "::1/128", NULL },
	{ "IPv6 upper case", "2001:DB8::/32", "2001:db8::/32", NULL },
	{ "mapped network becomes IPv4", "::ffff:10.0.0.0/104", "10.0.0.0/8",
	    NULL },
	{ "mapped address becomes IPv4", "::ffff:10.1.2.3", "10.1.2.3/32",
	    NULL },
	{ "wider than the mapped range stays IPv6", "::/64", "::/64", NULL },
	{ "IPv4 host bits set", "10.1.2.3/8", NULL,
	    "host bits set after the /8 prefix (write the network: 10.0.0.0/8)" },
	{ "IPv4 host bit just past /31", "192.0.2.7/31", NULL,
	    "write the network: 192.0.2.6/31" },
	{ "IPv4 host bits with /0", "1.0.0.0/0", NULL, "0.0.0.0/0" },
	{ "IPv6 host bits set", "2001:db8::1/64", NULL,
	    "write the network: 2001:db8::/64" },
	{ "IPv4 prefix too long", "10.0.0.0/33", NULL, "(0 to 32)" },
	{ "IPv6 prefix too long", "2001:db8::/129", NULL, "(0 to 128)" },
	{ "prefix with leading zero", "10.0.0.0/08", NULL, "bad prefix" },
	{ "negative prefix", "10.0.0.0/-1", NULL, "bad prefix" },
	{ "empty prefix", "10.0.0.0/", NULL, "bad prefix" },
	{ "two prefixes", "10.0.0.0/8/9", NULL, "bad prefix" },
	{ "prefix with a space", "10.0.0.0/ 8", NULL, "bad prefix" },
	{ "no address", "/8", NULL, "is not an IPv4 or IPv6 address" },
	{ "empty", "", NULL, "is not an IPv4 or IPv6 address" },
	{ "octet too big", "256.0.0.0", NULL, "\"256.0.0.0\" is not an IPv4" },
	{ "three octets", "10.1.2", NULL, "is not an IPv4 or IPv6" },
	{ "host name", "localhost", NULL, "is not an IPv4 or IPv6" },
	{ "IPv6 zone", "fe80::1%eth0", NULL, "is not an IPv4 or IPv6" },
	{ "IPv6 with two ::", "2001::db8::1", NULL, "is not an IPv4 or IPv6" },
	{ "one bracket", "[::1", NULL, "is not an IPv4 or IPv6" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct sp_cidr cidr;
		sp_err err = { { 0 } };
		char text[SP_CIDR_TEXT_MAX];
		bool good = sp_cidr_parse_err(c->text, &cidr, &err);

		if (c->want != NULL) {
			if (!ok(good, "parse: %s: \"%s\" accepted", c->name,
			    c->text)) {
				diag("  refused: %s", err.msg);
				continue;
			}
			sp_cidr_format(&cidr, text, sizeof(text));
			is_str(text, c->want, "parse: %s: \"%s\" is %s", c->name,
			    c->text, c->want);
		} else {
			if (!ok(!good && strstr(err.msg, c->why) != NULL,
			    "parse: %s: \"%s\" refused saying \"%s\"", c->name,
			    c->text, c->why))
				diag("  got: %s", good ? "(accepted)" : err.msg);
		}
		/* The boolean form agrees with the explaining one. */
		ok(sp_cidr_parse(c->text, &cidr) == (c->want != NULL),
		    "parse: %s: sp_cidr_parse agrees", c->name);
	}
}

/* A socket address for `text`, as libmilter hands the milter one. */
static socklen_t
make_sockaddr(const char *text, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
			return 0;
		return sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
			return 0;
		return sizeof(*sin);
	}
}

struct match_case {
	const char *address;
	bool want;
	bool is_socket;         /* also valid as a socket address */
};

static const char *const match_list[] = {
	"10.0.0.0/8", "192.168.1.128/25", "2001:db8::/32", "::1",
	"203.0.113.7", "198.51.100.0/31", "2001:db8:ffff::/127",
};

static const struct match_case match_cases[] = {
	{ "10.0.0.0", true, true },
	{ "10.255.255.255", true, true },
	{ "9.255.255.255", false, true },
	{ "11.0.0.0", false, true },
	{ "192.168.1.127", false, true },
	{ "192.168.1.128", true, true },
	{ "192.168.1.255", true, true },
	{ "192.168.2.128", false, true },
	{ "203.0.113.7", true, true },
	{ "203.0.113.6", false, true },
	{ "203.0.113.8", false, true },
	{ "198.51.100.0", true, true },
	{ "198.51.100.1", true, true },
	{ "198.51.100.2", false, true },
	{ "2001:db8::1", true, true },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true, true },
	{ "2001:db9::", false, true },
	{ "2001:db7:ffff::", false, true },
	{ "::1", true, true },
	{ "::2", false, true },
	{ "::", false, true },
	{ "::ffff:10.1.2.3", true, true },       /* mapped IPv4 */
	{ "::ffff:11.1.2.3", false, true },
	{ "::ffff:203.0.113.7", true, true },
	{ "::10.1.2.3", false, true },           /* compatible, not mapped */
	{ "[10.1.1.1]", true, false },
	{ "[2001:db8::9]", true, false },
	{ "IPv6:2001:db8::5", true, false },
	{ "ipv6:::ffff:10.0.0.1", true, false },
	{ "localhost", false, false },
	{ "", false, false },
	{ "10.1.2.3/32", false, false },
};

static void
test_match(void)
{
	size_t n = sizeof(match_list) / sizeof(match_list[0]);
	struct sp_cidr list[sizeof(match_list) / sizeof(match_list[0])];

	for (size_t i = 0; i < n; i++)
		if (!sp_cidr_parse(match_list[i], &list[i]))
			bail_out("match list entry %s does not parse",
			    match_list[i]);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct sockaddr_storage ss;

		ok(sp_cidr_match_text(list, n, c->address) == c->want,
		    "match text \"%s\": %s", c->address,
		    c->want ? "inside" : "outside");
		if (!c->is_socket)
			continue;
		if (make_sockaddr(c->address, &ss) == 0)
			bail_out("cannot build a socket address for %s",
			    c->address);
		ok(sp_cidr_match_sockaddr(list, n, (struct sockaddr *)&ss) ==
		    c->want, "match socket %s: %s", c->address,
		    c->want ? "inside" : "outside");
	}
}

/* /0 covers its own family only: "::/0" is not "every IPv4 client". */
static void
test_everything(void)
{
	struct sp_cidr v4all, v6all;
	struct sockaddr_storage ss;

	if (!sp_cidr_parse("0.0.0.0/0", &v4all) || !sp_cidr_parse("::/0", &v6all))
		bail_out("/0 entries do not parse");
	ok(sp_cidr_match_text(&v4all, 1, "198.51.100.9"), "0.0.0.0/0 has IPv4");
	ok(sp_cidr_match_text(&v4all, 1, "::ffff:198.51.100.9"),
	    "0.0.0.0/0 has mapped IPv4");
	ok(!sp_cidr_match_text(&v4all, 1, "2001:db8::1"),
	    "0.0.0.0/0 lacks IPv6");
	ok(sp_cidr_match_text(&v6all, 1, "2001:db8::1"), "::/0 has IPv6");
	ok(!sp_cidr_match_text(&v6all, 1, "198.51.100.9"), "::/0 lacks IPv4");
	ok(!sp_cidr_match_text(&v6all, 1, "::ffff:198.51.100.9"),
	    "::/0 lacks mapped IPv4 (it is IPv4)");
	make_sockaddr("::ffff:198.51.100.9", &ss);
	ok(sp_cidr_match_sockaddr(&v4all, 1, (struct sockaddr *)&ss),
	    "0.0.0.0/0 has a mapped socket address");
	ok(!sp_cidr_match_sockaddr(&v6all, 1, (struct sockaddr *)&ss),
	    "::/0 lacks a mapped socket address");
}

static void
test_edges(void)
{
	struct sp_cidr all;
	struct sockaddr_un sun;
	struct sockaddr_storage ss;
	char text[SP_CIDR_TEXT_MAX];

	if (!sp_cidr_parse("0.0.0.0/0", &all))
		bail_out("0.0.0.0/0 does not parse");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ok(!sp_cidr_match_sockaddr(&all, 1, (struct sockaddr *)&sun),
	    "a unix socket client matches nothing");
	ok(!sp_cidr_match_sockaddr(&all, 1, NULL), "no address matches nothing");
	ok(!sp_cidr_match_text(&all, 1, NULL), "no text matches nothing");
	make_sockaddr("10.0.0.1", &ss);
	ok(!sp_cidr_match_sockaddr(NULL, 0, (struct sockaddr *)&ss),
	    "an empty list matches nothing");
	ok(!sp_cidr_match_text(NULL, 0, "10.0.0.1"),
	    "an empty list matches no text");
	/* The longest text there is fits SP_CIDR_TEXT_MAX. */
	if (!sp_cidr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &all))
		bail_out("all-ones IPv6 does not parse");
	sp_cidr_format(&all, text, sizeof(text));
	is_str(text, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	    "format: the longest IPv6 fits");
}

int
main(void)
{
	test_parse();
	test_match();
	test_everything();
	test_edges();
	return done_testing();
}
