# mail-dkim.pl - one of verify-dkim's judges: Mail::DKIM (Debian's
# libmail-dkim-perl).  Run by /usr/bin/perl.
#
#   mail-dkim.pl (--records FILE | --server ADDR[#PORT]) MESSAGE...
#
# Prints "M S pass|fail|n/a REASON" for signature S (the S-th DKIM-Signature
# field from the top, from 0) of message M (from 0, in argument order).
# Debian 12's Mail::DKIM knows rsa-sha256 only: an ed25519-sha256
# signature it rejects as an unsupported algorithm is "n/a", never a pass.
# Keys come only from the records file (lines "NAME VALUE"), through a resolver
# object that answers TXT queries from it, or from the named DNS server through
# a Net::DNS::Resolver aimed at it alone: never the system resolver.
#
# Copyright (c) 2026 The signpost authors. ISC licence: see LICENSE.
use strict;
use warnings;
use Mail::DKIM::DNS;
use Mail::DKIM::Verifier;
use Net::DNS;

# A resolver that knows only the records file (Mail::DKIM::DNS calls send()
# and reads errorstring(), as it does with a Net::DNS::Resolver).
package RecordsResolver;

sub new {
    my ( $class, $path ) = @_;
    my %table;
    open( my $fh, '<', $path ) or die "$path: $!\n";
    while ( my $line = <$fh> ) {
        $line =~ s/\s+\z//;
        next if $line eq '' || $line =~ /^\s*#/;
        my ( $name, $value ) = split( ' ', $line, 2 );
        $name = lc $name;
        $name =~ s/\.\z//;
        push @{ $table{$name} }, defined $value ? $value : '';
    }
    close $fh;
    return bless { table => \%table }, $class;
}

sub send {
    my ( $self, $qname, $qtype ) = @_;
    my $name = lc $qname;
    $name =~ s/\.\z//;
    my $packet = Net::DNS::Packet->new( $qname, $qtype, 'IN' );
    $packet->header->qr(1);
    my $values = $self->{table}{$name};
    if ( !$values ) {
        $packet->header->rcode('NXDOMAIN');
        return $packet;
    }
    if ( uc $qtype eq 'TXT' ) {
        for my $value (@$values) {
            # TXT character-strings hold at most 255 bytes each
            my @strings = unpack( '(a255)*', $value );
            @strings = ('') unless @strings;
            $packet->push( answer => Net::DNS::RR->new(
                name => $qname, type => 'TXT', ttl => 300, txtdata => \@strings ) );
        }
    }
    return $packet;
}

sub errorstring { return 'NOERROR' }

package main;

sub usage {
    print STDERR "usage: mail-dkim.pl (--records FILE | --server ADDR[#PORT]) MESSAGE...\n";
    exit 2;
}

sub server_resolver {
    my ($spec) = @_;
    my ( $addr, $port ) = split( /#/, $spec, 2 );
    return Net::DNS::Resolver->new(
        nameservers => [$addr],
        port        => defined $port ? $port : 53,
        recurse     => 1,
        defnames    => 0,
        dnsrch      => 0,
        searchlist  => [],
        retry       => 2,
        udp_timeout => 5,
        tcp_timeout => 5,
    );
}

# The b= value of every DKIM-Signature field, top first, by a plain parse of
# the header (so each Mail::DKIM verdict lands on the field it belongs to).
sub field_signatures {
    my ($head) = @_;
    my @fields;
    for my $line ( split( /\r\n/, $head ) ) {
        if ( $line =~ /^[ \t]/ && @fields ) {
            $fields[-1] .= "\r\n$line";
        }
        elsif ( $line ne '' ) {
            push @fields, $line;
        }
    }
    my @bs;
    for my $field (@fields) {
        my ( $name, $value ) = split( /:/, $field, 2 );
        $name =~ s/[ \t]+\z//;
        next unless lc $name eq 'dkim-signature';
        my ($b) = ( ";$value" =~ /;\s*b\s*=([^;]*)/ );
        $b = '' unless defined $b;
        $b =~ s/\s+//g;
        push @bs, $b;
    }
    return @bs;
}

usage() unless @ARGV >= 3 && $ARGV[0] =~ /\A--(records|server)\z/;
my ( $mode, $source, @paths ) = @ARGV;
Mail::DKIM::DNS::resolver(
    $mode eq '--records' ? RecordsResolver->new($source) : server_resolver($source) );

sub judge {
    my ( $m, $path ) = @_;
    open( my $fh, '<:raw', $path ) or die "$path: $!\n";
    my $message = do { local $/; <$fh> };
    close $fh;
    my $end = index( $message, "\r\n\r\n" );
    my @bs = field_signatures( $end >= 0 ? substr( $message, 0, $end + 2 ) : $message );

    my $dkim = Mail::DKIM::Verifier->new();
    $dkim->PRINT($message);
    $dkim->CLOSE;

    my %verdict;
    for my $sig ( $dkim->signatures ) {
        next if $sig->isa('Mail::DKIM::DkSignature');
        my $b = $sig->get_tag('b');
        $b = '' unless defined $b;
        $b =~ s/\s+//g;
        my ($idx) = grep { $bs[$_] eq $b && !exists $verdict{$_} } 0 .. $#bs;
        next unless defined $idx;
        my $result = $sig->result || 'none';
        my $detail = $sig->result_detail || $result;
        my $alg    = $sig->algorithm || '';
        if ( $result eq 'pass' ) {
            $verdict{$idx} = 'pass';
        }
        elsif ( $result eq 'invalid' && $alg eq 'ed25519-sha256'
            && $detail =~ /unsupported algorithm/ )
        {
            $verdict{$idx} = "n/a $detail";
        }
        else {
            $verdict{$idx} = "fail $detail";
        }
    }
    for my $idx ( 0 .. $#bs ) {
        my $v = exists $verdict{$idx} ? $verdict{$idx}
          : 'fail Mail::DKIM did not parse this signature'
          . ( $dkim->{signature_reject_reason} ? " ($dkim->{signature_reject_reason})" : '' );
        $v =~ s/\s+/ /g;
        print "$m $idx $v\n";
    }
}

$| = 1;
judge( $_, $paths[$_] ) for 0 .. $#paths;
exit 0;
