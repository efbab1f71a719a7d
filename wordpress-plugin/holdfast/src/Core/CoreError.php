<?php
/**
 * A call to the core that did not give an answer we can use: unreachable, timed out, refused.
 *
 * @package Holdfast
 */

namespace Holdfast\Core;

defined( 'ABSPATH' ) || exit;

final class CoreError extends \RuntimeException {
	/** @var string */
	private $reason;
	/** @var int */
	private $status;

	public function __construct( string $reason, string $message, int $status = 0 ) {
		parent::__construct( $message );
		$this->reason = $reason;
		$this->status = $status;
	}

	/** The core's machine-readable code, or unreachable / invalid_response. */
	public function reason(): string {
		return $this->reason;
	}

	/** HTTP status, 0 when nothing answered. */
	public function status(): int {
		return $this->status;
	}

	/** True when the core did not answer at all (the fail policy applies), false when it refused. */
	public function is_outage(): bool {
		return 0 === $this->status || $this->status >= 500;
	}
}
