# signpost.conf.sed - makes /etc/signpost/signpost.conf (the conffile) from
# the annotated sample etc/signpost.conf: the package's own paths, the
# socket directory the postinst makes, and no domain until the operator
# names one (README.Debian).
/^# create its directory first:$/,/^#   usermod -aG signpost postfix$/c\
# The package makes its directory, signpost:postfix 0750, when Postfix is\
# installed (else: dpkg-reconfigure signpost after installing Postfix).\
# Only root, signpost and Postfix can enter it, so the socket may be 0666:\
# Postfix stays out of the signpost group, which reads the private keys.\
# Elsewhere (an inet socket, another directory) use 0660 or less.
s/^socket_mode        = 0660                  # optional; unix sockets only$/socket_mode        = 0666                  # unix sockets only (see above)/
/^\[domain example.com\]$/i\
# No domain yet: signpost-milter is enabled but stays stopped until one\
# is named here (README.Debian). For example.com: uncomment the section\
# below, name one selector per key you will make, then\
#   dnsgen keygen -d example.com -s 2026e -a ed25519\
#   signpost-milter -t && systemctl restart signpost-milter
/^\[domain example.com\]$/,$s/^\([^#]\)/#\1/
