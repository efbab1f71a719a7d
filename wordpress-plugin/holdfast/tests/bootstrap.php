<?php
/**
 * PHPUnit bootstrap: the WordPress and WooCommerce stand-ins, the plugin's loader, the shared test case.
 *
 * @package Holdfast\Tests
 */

require __DIR__ . '/harness/load.php';
require __DIR__ . '/TestCase.php';
