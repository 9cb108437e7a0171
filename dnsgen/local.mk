# dnsgen/: the DNS record generator, key maker and checker.
