<?php
/**
 * A PSR-4 autoloader of our own: the plugin must run from an upload, without `composer install`.
 *
 * @package Holdfast
 */

namespace Holdfast;

defined( 'ABSPATH' ) || exit;

final class Autoloader {
	/**
	 * Maps classes under $prefix to files under $base_dir.
	 *
	 * @param string $prefix   Namespace prefix with its trailing backslash.
	 * @param string $base_dir Directory with its trailing slash.
	 */
	public static function register( string $prefix, string $base_dir ): void {
		spl_autoload_register(
			static function ( string $class ) use ( $prefix, $base_dir ): void {
				if ( strncmp( $class, $prefix, strlen( $prefix ) ) !== 0 ) {
					return;
				}
				$relative = substr( $class, strlen( $prefix ) );
				// Class names only: never let a crafted name walk out of the plugin directory.
				if ( ! preg_match( '/^[A-Za-z0-9_\\\\]+$/', $relative ) ) {
					return;
				}
				$file = $base_dir . str_replace( '\\', '/', $relative ) . '.php';
				if ( is_readable( $file ) ) {
					require_once $file;
				}
			}
		);
	}
}
