<?php
/**
 * What HoldCheck decided, and why.
 *
 * @package Holdfast
 */

namespace Holdfast\Gate;

use Holdfast\Crypto\HoldToken;

defined( 'ABSPATH' ) || exit;

final class Verdict {
	/** @var bool */
	public $allowed;
	/** @var string */
	public $code;
	/** @var string */
	public $message;
	/** @var HoldToken|null Null when the fail policy let the line through unverified. */
	public $hold;
	/** @var int Units the token covers for this line. */
	public $held;

	private function __construct( bool $allowed, string $code, string $message, ?HoldToken $hold, int $held ) {
		$this->allowed = $allowed;
		$this->code    = $code;
		$this->message = $message;
		$this->hold    = $hold;
		$this->held    = $held;
	}

	public static function allow( ?HoldToken $hold, int $held ): self {
		return new self( true, 'ok', '', $hold, $held );
	}

	public static function refuse( string $code, string $message ): self {
		return new self( false, $code, $message, null, 0 );
	}
}
