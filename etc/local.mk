# etc/: sample configuration, systemd units and Postfix snippet. The units
# are installed (systemdsystemunitdir, configure --with-systemdsystemunitdir)
# and so packaged (debian/): every unit listed here lands in the package.
# the annotated sample configuration, described in signpost.conf(5)
EXTRA_DIST += etc/signpost.conf
# signpost.conf(5)
dist_man_MANS += etc/signpost.conf.5
# signpost-milter: systemd unit (installed) and the Postfix main.cf lines
# (see signpost-milter(8)); dnsgen rotate, hourly: its service and timer
dist_systemdsystemunit_DATA = etc/signpost-milter.service \
	etc/signpost-rotate.service etc/signpost-rotate.timer
EXTRA_DIST += etc/postfix-main.cf
