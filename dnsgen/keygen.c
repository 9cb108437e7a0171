/*
 * keygen.c - `dnsgen keygen`: make a new DKIM key for a configured domain.
 *
 * The key comes from OpenSSL (RSA 2048/3072/4096 or Ed25519; never
 * 1024-bit RSA: allow_weak_rsa accepts old keys, not new ones), is written as PKCS#8 PEM to a temporary file
 * in the key folder with mode 0640 and the milter user's group (folders it
 * creates get 0750 and that group, whatever the umask), flushed to
 * disk, and linked to keys_dir/DOMAIN/SELECTOR.pem only if that name is
 * free: an existing key is never overwritten. The PEM bytes are wiped. The
 * file is then loaded back through lib/keys.c, exactly as the milter will
 * load it, and its DKIM record and the next steps are printed.
 *
 * Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dnsgen/dnsgen.h"

/* The group new keys and folders get: the milter user's, if it exists. */
struct key_owner {
	bool set_group;
	gid_t gid;
	char group[64];
};

static void
find_group(const struct sp_config *conf, struct key_owner *ko, bool warn)
{
	const char *user = conf->milter.user;
	struct passwd *pw;

	memset(ko, 0, sizeof(*ko));
	if (user == NULL || *user == '\0')
		return;
	if ((pw = getpwnam(user)) == NULL) {
		if (warn)
			dnsgen_warn("%s: [milter] user %s does not exist yet: "
			    "the key keeps the group of the user running "
			    "dnsgen; run chgrp %s on it once the user exists",
			    conf->path, user, user);
		return;
	}
	ko->set_group = true;
	/* the group the milter's key checks name in their chown advice */
	if (!sp_key_user_group(user, &ko->gid, ko->group, sizeof(ko->group))) {
		ko->gid = pw->pw_gid;
		snprintf(ko->group, sizeof(ko->group), "%lu",
		    (unsigned long)pw->pw_gid);
	}
	if (warn && geteuid() != 0 && geteuid() != pw->pw_uid)
		dnsgen_warn("you are neither root nor %s: the milter only loads "
		    "keys owned by root or %s; chown the new key", user, user);
}

/*
 * mkdir DIR unless it exists, then mode 0750 and the milter's group on
 * the folder just made (through its descriptor, not the name), whatever
 * the umask: under umask 077 a plain mkdir gives drwx------, which the
 * milter user cannot enter once it has dropped privileges.
 */
static bool
ensure_dir(const char *dir, const struct key_owner *ko)
{
	const char *step = "open";
	struct stat st;
	int fd;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return true;
		dnsgen_error("%s: exists but is not a directory", dir);
		return false;
	}
	if (errno != ENOENT || mkdir(dir, 0700) != 0) {
		dnsgen_error("%s: cannot create the key folder: %s", dir,
		    strerror(errno));
		return false;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	step = "give the milter's group to";
	if (ko->set_group && fchown(fd, (uid_t)-1, ko->gid) != 0)
		goto fail;
	step = "set mode 0750 on";
	if (fchmod(fd, 0750) != 0)
		goto fail;
	close(fd);
	return true;
fail:
	dnsgen_error("%s: cannot %s the new key folder: %s", dir, step,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	return false;
}

static EVP_PKEY *
generate(bool rsa, int bits)
{
	EVP_PKEY *pkey = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)
	    : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	if (pkey == NULL)
		dnsgen_error("OpenSSL could not generate the key: %s",
		    ERR_reason_error_string(ERR_get_error()));
	return pkey;
}


/* Give the temporary file its final name, never replacing a file. */
static bool
publish_name(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0)
		return true;
	if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP)
		return renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
		    RENAME_NOREPLACE) == 0;
	return false;
}

static bool
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool good;

	if (fd < 0)
		return false;
	good = fsync(fd) == 0;
	close(fd);
	return good;
}

/* The PEM text goes to DIR/.SELECTOR.pem.XXXXXX, then to PATH. */
static bool
write_key_file(const char *dir, const char *path, const char *selector,
    const char *pem, size_t len, const struct key_owner *ko)
{
	char *tmp = sp_xasprintf("%s/.%s.pem.XXXXXX", dir, selector);
	const char *step = "create";
	int fd = mkstemp(tmp);

	if (fd < 0)
		goto fail;
	step = "set the group of";
	if (ko->set_group && fchown(fd, (uid_t)-1, ko->gid) != 0)
		goto fail;
	step = "set the mode of";
	if (fchmod(fd, 0640) != 0)
		goto fail;
	step = "write";
	if (!sp_write_all(fd, pem, len) || fsync(fd) != 0)
		goto fail;
	step = "close";
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (!publish_name(tmp, path)) {
		if (errno == EEXIST)
			dnsgen_error("%s exists: a key is never overwritten; "
			    "choose a new selector", path);
		else
			dnsgen_error("%s: cannot create it: %s", path,
			    strerror(errno));
		unlink(tmp);
		free(tmp);
		return false;
	}
	unlink(tmp);
	if (!sync_dir(dir))
		dnsgen_warn("%s: cannot flush the folder to disk: %s", dir,
		    strerror(errno));
	free(tmp);
	return true;
fail:
	if (fd < 0 && strcmp(step, "create") == 0) {
		dnsgen_error("%s: cannot create a file for the new key: %s",
		    dir, strerror(errno));
	} else {
		dnsgen_error("%s: cannot %s the new key file: %s", tmp, step,
		    strerror(errno));
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	free(tmp);
	return false;
}

/* PKCS#8 PEM in a secure-heap BIO, written out, then wiped. */
static bool
save_key(EVP_PKEY *pkey, const char *dir, const char *path,
    const char *selector, const struct key_owner *ko)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *pem = NULL;
	long len;
	bool good = false;

	if (bio == NULL || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0,
	    NULL, NULL) != 1 || (len = BIO_get_mem_data(bio, &pem)) <= 0) {
		dnsgen_error("OpenSSL could not encode the key: %s",
		    ERR_reason_error_string(ERR_get_error()));
	} else {
		good = write_key_file(dir, path, selector, pem, (size_t)len, ko);
		OPENSSL_cleanse(pem, (size_t)len);
	}
	BIO_free(bio);
	return good;
}

/*
 * The milter reads the key again as its user on every reload: check the
 * folders on the way as signpost-milter -t will, and say what to fix in
 * folders that existed before (new ones are made right).
 */
static void
warn_milter_path(const struct sp_config *conf, const char *path)
{
	struct sp_key_rules rules;
	sp_err err;
	int fd;

	if (conf->milter.user == NULL || getpwnam(conf->milter.user) == NULL)
		return;
	if (!sp_key_rules_from_config(conf, true, &rules, &err)) {
		dnsgen_warn("%s", err.msg);
		return;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!sp_key_check_file(fd, path, &rules, &err))
		dnsgen_warn("%s", err.msg);
	close(fd);
}

/* The active selectors with the new one in place of its own kind. */
static char *
suggest_selectors(const struct sp_config *conf, const struct sp_domain *dom,
    const struct sp_key *fresh)
{
	struct sp_key_rules rules;
	struct sp_key **keys = NULL;
	struct sp_buf b = SP_BUF_INIT;
	size_t n = 0;
	bool replaced = false;
	sp_err err;

	if (sp_key_rules_from_config(conf, false, &rules, &err))
		(void)sp_keys_in_domain_dir(conf, dom->name, &rules, &keys, &n,
		    &err);
	for (size_t i = 0; i < dom->n_selectors; i++) {
		const char *s = dom->selectors[i].name;

		for (size_t k = 0; k < n; k++)
			if (strcmp(keys[k]->selector, s) == 0 &&
			    keys[k]->type == fresh->type && !replaced) {
				s = fresh->selector;
				replaced = true;
			}
		sp_buf_printf(&b, "%s%s", b.len ? ", " : "", s);
	}
	if (!replaced)
		sp_buf_printf(&b, "%s%s", b.len ? ", " : "", fresh->selector);
	sp_keys_free_array(keys, n);
	return sp_buf_steal(&b);
}

static void
print_next_steps(const struct sp_config *conf, const struct sp_domain *dom,
    const struct sp_key *key, const struct key_owner *ko)
{
	struct sp_buf b = SP_BUF_INIT;
	struct sp_rr rr;
	char *sels = suggest_selectors(conf, dom, key);

	memset(&rr, 0, sizeof(rr));
	rr.name = sp_xasprintf("%s._domainkey.%s.", key->selector, dom->name);
	rr.type = SP_RR_TXT;
	rr.role = SP_ROLE_DKIM;
	rr.ttl = dom->dns.ttl;
	rr.value = sp_key_dns_record(key);
	sp_buf_printf(&b, "Wrote %s (%s, %d bits; mode 0640%s%s).\n\n"
	    "Publish this record:\n\n", key->path,
	    key->type == SP_KEY_RSA ? "RSA" : "Ed25519", key->bits,
	    ko->set_group ? ", group " : "", ko->set_group ? ko->group : "");
	sp_rr_format_zone(&b, &rr);
	sp_buf_printf(&b, "\nNext steps:\n"
	    "  1. Publish it. Every record of the domain, this one included:\n"
	    "       dnsgen -c %s -d %s -f table\n"
	    "     (-f zone, -f nsupdate and -f json feed other tools).\n"
	    "  2. Wait until \"dnsgen -c %s check -d %s\" exits 0.\n"
	    "  3. Activate the key: in [domain %s] of %s set\n"
	    "       selector = %s\n"
	    "  4. Reload the milter: systemctl reload signpost-milter\n"
	    "     (or kill -HUP $(cat %s)).\n"
	    "  5. Keep the old key and its record until mail signed with it "
	    "has been\n     delivered (a few days), then delete both.\n",
	    conf->path, dom->name, conf->path, dom->name, dom->name,
	    conf->path, sels, conf->milter.pidfile);
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	sp_buf_free(&b);
	free(rr.name);
	free(rr.value);
	free(sels);
}

/* -a/-b: RSA 2048 (default), 3072, 4096, or Ed25519. */
static bool
key_kind(const struct dnsgen_opts *o, bool *rsa, int *bits)
{
	const char *alg = o->algorithm ? o->algorithm : "rsa";

	*rsa = strcmp(alg, "rsa") == 0;
	*bits = o->bits;
	if (!*rsa && strcmp(alg, "ed25519") != 0) {
		dnsgen_error("-a %s: the algorithms are rsa and ed25519", alg);
		return false;
	}
	if (!*rsa) {
		if (o->bits != 0 && o->bits != 256) {
			dnsgen_error("-b applies to RSA keys only (Ed25519 keys "
			    "are 256 bits)");
			return false;
		}
		*bits = 256;
		return true;
	}
	if (*bits == 0)
		*bits = 2048;
	if (*bits == 2048 || *bits == 3072 || *bits == 4096)
		return true;
	if (*bits == 1024)
		dnsgen_error("-b 1024: 1024-bit RSA keys are weak (RFC 8301); "
		    "allow_weak_rsa accepts existing keys but never for new "
		    "keys: use 2048 or more");
	else
		dnsgen_error("-b %d: RSA keys are 2048, 3072 or 4096 bits", *bits);
	return false;
}

bool
dnsgen_key_folder(const struct sp_config *conf, const char *domain)
{
	struct key_owner ko;
	char *dir = sp_xasprintf("%s/%s", conf->signing.keys_dir, domain);
	bool good;

	find_group(conf, &ko, false);
	good = ensure_dir(conf->signing.keys_dir, &ko) && ensure_dir(dir, &ko);
	free(dir);
	return good;
}

struct sp_key *
dnsgen_make_key(const struct sp_config *conf, const struct sp_domain *dom,
    const char *selector, bool rsa, int bits)
{
	struct key_owner ko;
	struct sp_key_rules rules;
	struct sp_key *key = NULL;
	EVP_PKEY *pkey = NULL;
	char *path = sp_key_path(conf, dom->name, selector);
	char *dir = sp_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	sp_err err;

	find_group(conf, &ko, true);
	if (access(path, F_OK) == 0) {
		dnsgen_error("%s exists: a key is never overwritten; choose a "
		    "new selector", path);
		goto out;
	}
	if (errno != ENOENT) {
		dnsgen_error("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!ensure_dir(conf->signing.keys_dir, &ko) || !ensure_dir(dir, &ko))
		goto out;
	if ((pkey = generate(rsa, bits)) == NULL ||
	    !save_key(pkey, dir, path, selector, &ko))
		goto out;
	if (!sp_key_rules_from_config(conf, false, &rules, &err) ||
	    (key = sp_key_load(path, dom->name, selector, &rules, &err)) ==
	    NULL) {
		dnsgen_error("%s (the new key was removed)", err.msg);
		unlink(path);
		goto out;
	}
	warn_milter_path(conf, path);
out:
	EVP_PKEY_free(pkey);
	free(dir);
	free(path);
	return key;
}

static int
keygen(const struct dnsgen_opts *o, const struct sp_config *conf,
    const struct sp_domain *dom)
{
	struct key_owner ko;
	struct sp_key *key;
	int bits;
	bool rsa;

	if (!key_kind(o, &rsa, &bits))
		return DNSGEN_FAIL;
	if ((key = dnsgen_make_key(conf, dom, o->selector, rsa, bits)) == NULL)
		return DNSGEN_FAIL;
	find_group(conf, &ko, false);
	print_next_steps(conf, dom, key, &ko);
	sp_key_free(key);
	return DNSGEN_OK;
}

int
dnsgen_keygen(const struct dnsgen_opts *o)
{
	const struct sp_domain *dom;
	struct sp_config *conf;
	const char *why;
	sp_err err;
	int rc;

	if (o->domains.n != 1 || o->selector == NULL) {
		dnsgen_error("keygen needs one -d DOMAIN and -s SELECTOR");
		return DNSGEN_FAIL;
	}
	if ((why = sp_dkim_key_name_problem(o->selector,
	    o->domains.v[0])) != NULL) {
		dnsgen_error("-s %s: the selector %s (a selector is letters, "
		    "digits and '-', in labels joined by '.', RFC 6376 section "
		    "3.1)", o->selector, why);
		return DNSGEN_FAIL;
	}
	if ((conf = sp_config_load(o->conf_path, &err)) == NULL) {
		dnsgen_error("%s", err.msg);
		return DNSGEN_FAIL;
	}
	dom = dnsgen_domain(conf, o->domains.v[0]);
	rc = dom != NULL ? keygen(o, conf, dom) : DNSGEN_FAIL;
	sp_config_free(conf);
	return rc;
}
