<?php
/**
 * Hold tokens and signed requests made by the TypeScript core (app/core/tokens/jwt.ts,
 * app/core/tokens/requestSignature.ts), verified here. test/wordpress/plugin.test.ts writes fresh
 * vectors with the core's own code and points HOLDFAST_VECTORS at them; without it the
 * committed tests/fixtures/vectors.json (made the same way) is used.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Crypto\Base64Url;
use Holdfast\Crypto\HoldToken;
use Holdfast\Crypto\RequestSignature;
use Holdfast\Crypto\TokenRejected;

final class CrossLanguageTest extends TestCase {
	/** @return array<string, mixed> */
	private static function vectors(): array {
		$file = getenv( 'HOLDFAST_VECTORS' ) ?: dirname( __DIR__ ) . '/fixtures/vectors.json';
		$data = json_decode( (string) file_get_contents( $file ), true );
		if ( ! is_array( $data ) || empty( $data['tokens'] ) || empty( $data['requests'] ) ) {
			throw new \RuntimeException( 'no vectors in ' . $file );
		}
		return $data;
	}

	public function test_tokens_from_the_core_verify_or_fail_as_the_core_says(): void {
		$vectors = self::vectors();
		$keys    = array();
		foreach ( $vectors['keys'] as $key ) {
			$keys[ $key['kid'] ] = Base64Url::decode( $key['k'] );
		}
		$key_for = static function ( string $kid ) use ( $keys ): ?string {
			return $keys[ $kid ] ?? null;
		};
		$this->assertGreaterThanOrEqual( 8, count( $vectors['tokens'] ) );
		foreach ( $vectors['tokens'] as $case ) {
			try {
				$hold = HoldToken::verify( $case['token'], $key_for, (int) $case['now'] );
				$this->assertNull( $case['error'], $case['name'] . ' should have been refused' );
				$this->assertSame( $case['claims']['h'], $hold->hold_id(), $case['name'] );
				$this->assertSame( $case['claims']['s'], $hold->sale_id(), $case['name'] );
				$this->assertSame( $case['claims'], $hold->claims(), $case['name'] . ': unknown claims are kept' );
			} catch ( TokenRejected $rejected ) {
				$this->assertSame( $case['error'], $rejected->reason(), $case['name'] );
			}
		}
	}

	public function test_requests_the_core_signs_verify_and_tampered_ones_do_not(): void {
		foreach ( self::vectors()['requests'] as $case ) {
			$this->assertSame(
				$case['error'],
				RequestSignature::check( $case['secret'], $case['header'], $case['method'], $case['target'], $case['body'], (int) $case['now'] ),
				$case['name']
			);
		}
	}
}
