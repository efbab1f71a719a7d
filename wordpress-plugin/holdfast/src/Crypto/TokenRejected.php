<?php
/**
 * Why a hold token was refused; `code` matches the core's TokenError codes.
 *
 * @package Holdfast
 */

namespace Holdfast\Crypto;

defined( 'ABSPATH' ) || exit;

final class TokenRejected extends \RuntimeException {
	/** @var string */
	private $reason;

	public function __construct( string $reason, string $message ) {
		parent::__construct( $message );
		$this->reason = $reason;
	}

	/** token_malformed | token_unknown_key | token_bad_signature | token_wrong_type | token_expired | token_not_yet_valid */
	public function reason(): string {
		return $this->reason;
	}
}
