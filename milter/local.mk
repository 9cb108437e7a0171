# milter/: signpost-milter, the libmilter daemon.
