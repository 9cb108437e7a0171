# signpost.conf.sed - makes /etc/signpost/signpost.conf (the conffile) from
# the annotated sample etc/signpost.conf: the package's own paths, the
# socket directory the postinst makes, and no domain until the operator
# names one (README.Debian).
/^# create its directory first:$/,/^#   install -d -o signpost -g postfix -m 0750 \/var\/spool\/postfix\/signpost$/c\
# The package makes its directory, signpost:postfix 0750, when Postfix is\
# installed (else: dpkg-reconfigure signpost after installing Postfix).
/^\[domain example.com\]$/i\
# No domain yet: signpost-milter is enabled but stays stopped until one\
# is named here (README.Debian). For example.com: uncomment the section\
# below, name one selector per key you will make, then\
#   dnsgen keygen -d example.com -s 2026e -a ed25519\
#   signpost-milter -t && systemctl restart signpost-milter
/^\[domain example.com\]$/,$s/^\([^#]\)/#\1/
