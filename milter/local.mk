# milter/: signpost-milter, the libmilter daemon.
sbin_PROGRAMS += milter/signpost-milter
milter_signpost_milter_SOURCES = milter/milter.h milter/main.c \
	milter/process.c milter/snapshot.c milter/filter.c milter/listen.c \
	milter/check.c milter/rundir.c milter/metrics.h milter/metrics.c
milter_signpost_milter_LDADD = $(SIGNPOST_LIBS) $(MILTER_LIBS) $(LIBS)
dist_man_MANS += milter/signpost-milter.8
