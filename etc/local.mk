# etc/: sample configuration, systemd unit and Postfix snippet (shipped, not installed).
