<?php
/**
 * Removes what Holdfast stored: its options, its scheduled event, the webhooks and the REST
 * key it created. Orders and their line meta stay: they are the merchant's records.
 *
 * @package Holdfast
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/src/Autoloader.php';
\Holdfast\Autoloader::register( 'Holdfast\\', __DIR__ . '/src/' );

\Holdfast\Uninstaller::run();
