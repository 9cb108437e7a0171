# etc/: sample configuration, systemd unit and Postfix snippet (shipped, not installed).
# the annotated sample configuration, described in signpost.conf(5)
EXTRA_DIST += etc/signpost.conf
# signpost.conf(5)
dist_man_MANS += etc/signpost.conf.5
# signpost-milter: systemd unit and the Postfix main.cf lines (see signpost-milter(8))
EXTRA_DIST += etc/signpost-milter.service etc/postfix-main.cf
# dnsgen rotate, hourly: installed into systemd's unit folder under the prefix
systemdunitdir = $(prefix)/lib/systemd/system
dist_systemdunit_DATA = etc/signpost-rotate.service etc/signpost-rotate.timer
