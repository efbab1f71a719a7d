<?php
/**
 * PHPUnit bootstrap: the WordPress and WooCommerce stand-ins, then the plugin's own loader.
 *
 * @package Holdfast\Tests
 */

error_reporting( E_ALL );

require __DIR__ . '/harness/wordpress.php';
require __DIR__ . '/harness/woocommerce.php';
require __DIR__ . '/TestCase.php';

define( 'HOLDFAST_VERSION', '0.1.0' );
define( 'HOLDFAST_FILE', dirname( __DIR__ ) . '/holdfast.php' );
define( 'HOLDFAST_DIR', dirname( __DIR__ ) );

require dirname( __DIR__ ) . '/src/Autoloader.php';
\Holdfast\Autoloader::register( 'Holdfast\\', dirname( __DIR__ ) . '/src/' );
