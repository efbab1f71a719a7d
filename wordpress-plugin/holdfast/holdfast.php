<?php
/**
 * Plugin Name:          Holdfast for WooCommerce
 * Plugin URI:           https://github.com/holdfast/holdfast
 * Description:          Flash-sale drops without oversells: a fair waiting room, and an add-to-cart and checkout gate that only lets shoppers with a Holdfast hold buy a drop item.
 * Version:              0.1.0
 * Requires at least:    6.5
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * WC requires at least: 8.2
 * WC tested up to:      9.4
 * Author:               Holdfast
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          holdfast
 * Domain Path:          /languages
 *
 * @package Holdfast
 */

defined( 'ABSPATH' ) || exit;

define( 'HOLDFAST_VERSION', '0.1.0' );
define( 'HOLDFAST_FILE', __FILE__ );
define( 'HOLDFAST_DIR', __DIR__ );

require_once __DIR__ . '/src/Autoloader.php';
\Holdfast\Autoloader::register( 'Holdfast\\', __DIR__ . '/src/' );

// Top level, as WordPress requires: these run before `plugins_loaded`.
register_activation_hook( __FILE__, array( \Holdfast\Lifecycle::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \Holdfast\Lifecycle::class, 'deactivate' ) );

// WooCommerce reads compatibility declarations before it initialises.
add_action( 'before_woocommerce_init', array( \Holdfast\Lifecycle::class, 'declare_compatibility' ) );
add_action( 'plugins_loaded', array( \Holdfast\Plugin::class, 'boot' ) );
