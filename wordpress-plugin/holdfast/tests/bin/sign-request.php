<?php
/**
 * Prints the X-Holdfast-Signature the plugin sends, for the core's cross-language test:
 * php sign-request.php <secret> <METHOD> <target> <unix seconds> < body
 *
 * @package Holdfast\Tests
 */

// Command line only: these scripts must never answer a web request on a site that kept tests/.
'cli' === PHP_SAPI || exit( 1 );

define( 'ABSPATH', __DIR__ . '/' );
require dirname( __DIR__, 2 ) . '/src/Crypto/Base64Url.php';
require dirname( __DIR__, 2 ) . '/src/Crypto/RequestSignature.php';

if ( 5 !== $argc ) {
	fwrite( STDERR, "usage: php sign-request.php <secret> <METHOD> <target> <unix seconds> < body\n" );
	exit( 2 );
}
echo \Holdfast\Crypto\RequestSignature::header( $argv[1], $argv[2], $argv[3], (string) stream_get_contents( STDIN ), (int) $argv[4] );
