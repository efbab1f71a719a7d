<?php
/**
 * The WordPress and WooCommerce stand-ins and the plugin's own loader, for PHPUnit and for
 * the scripts in tests/bin.
 *
 * @package Holdfast\Tests
 */

error_reporting( E_ALL );

require __DIR__ . '/wordpress.php';
require __DIR__ . '/woocommerce.php';

define( 'HOLDFAST_VERSION', '0.1.0' );
define( 'HOLDFAST_FILE', dirname( __DIR__, 2 ) . '/holdfast.php' );
define( 'HOLDFAST_DIR', dirname( __DIR__, 2 ) );

require dirname( __DIR__, 2 ) . '/src/Autoloader.php';
\Holdfast\Autoloader::register( 'Holdfast\\', dirname( __DIR__, 2 ) . '/src/' );
