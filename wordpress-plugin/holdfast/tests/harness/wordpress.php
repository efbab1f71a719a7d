<?php
/**
 * A WordPress stand-in for the plugin's unit tests: the functions the plugin calls, with the
 * signatures and behaviour WordPress documents (hooks, options, transients, i18n, escaping,
 * HTTP, REST, cron, nonces), written for these tests. State lives in Harness and is reset
 * per test.
 *
 * @package Holdfast\Tests
 */

// phpcs:ignoreFile

define( 'ABSPATH', __DIR__ . '/' );
define( 'DAY_IN_SECONDS', 86400 );

final class Harness {
	/** @var array<string, array<int, array<int, array{0: callable, 1: int}>>> */
	public static $hooks = array();
	/** @var array<string, mixed> */
	public static $options = array();
	/** @var callable|null fn(string $url, array $args): array|WP_Error */
	public static $http = null;
	/** @var array<int, array{url: string, args: array}> */
	public static $requests = array();
	/** @var array<string, array> */
	public static $routes = array();
	/** @var array<string, bool> */
	public static $caps = array( 'manage_woocommerce' => true, 'activate_plugins' => true );
	/** @var bool */
	public static $nonce_ok = true;
	/** @var array<string, array{0: int, 1: string}> */
	public static $cron = array();
	/** @var array<string, string> */
	public static $scripts = array();
	/** @var array<int, array{0: string, 1: string}> */
	public static $logs = array();
	/** @var bool */
	public static $is_product = false;
	/** @var int */
	public static $queried_id = 0;
	/** @var int|null Pinned clock for the stand-in's own time(); tests use real time otherwise. */
	public static $now = null;

	public static function reset(): void {
		self::$hooks    = array();
		self::$options  = array();
		self::$http     = null;
		self::$requests = array();
		self::$routes   = array();
		self::$caps     = array( 'manage_woocommerce' => true, 'activate_plugins' => true );
		self::$nonce_ok = true;
		self::$cron     = array();
		self::$scripts  = array();
		self::$logs     = array();
		self::$is_product = false;
		self::$queried_id = 0;
		$_POST = $_GET = $_REQUEST = array();
		$GLOBALS['wpdb'] = new Harness_Wpdb();
	}
}

/** wp_die() and redirects end a request: here they throw, so a test can see what happened. */
final class Harness_Exit extends RuntimeException {
	/** @var string */
	public $kind;
	/** @var string */
	public $detail;
	/** @var int */
	public $status;

	public function __construct( string $kind, string $detail, int $status = 200 ) {
		parent::__construct( $kind . ': ' . $detail );
		$this->kind   = $kind;
		$this->detail = $detail;
		$this->status = $status;
	}
}

// Hooks: priorities in order, then registration order, as WP_Hook runs them.
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	Harness::$hooks[ $hook ][ $priority ][] = array( $callback, $accepted_args );
	return true;
}
function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	return add_filter( $hook, $callback, $priority, $accepted_args );
}
function has_filter( $hook ) {
	return ! empty( Harness::$hooks[ $hook ] );
}
function has_action( $hook ) {
	return has_filter( $hook );
}
function apply_filters( $hook, $value, ...$args ) {
	if ( empty( Harness::$hooks[ $hook ] ) ) {
		return $value;
	}
	$by_priority = Harness::$hooks[ $hook ];
	ksort( $by_priority );
	foreach ( $by_priority as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			$value = call_user_func_array( $callback, array_slice( array_merge( array( $value ), $args ), 0, $accepted ) );
		}
	}
	return $value;
}
function do_action( $hook, ...$args ) {
	if ( empty( Harness::$hooks[ $hook ] ) ) {
		return;
	}
	$by_priority = Harness::$hooks[ $hook ];
	ksort( $by_priority );
	foreach ( $by_priority as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
		}
	}
}

// Options: values round-trip through serialization, as they do through the options table.
function get_option( $name, $default = false ) {
	return array_key_exists( $name, Harness::$options ) ? unserialize( Harness::$options[ $name ] ) : $default;
}
function update_option( $name, $value, $autoload = null ) {
	Harness::$options[ $name ] = serialize( $value );
	return true;
}
function add_option( $name, $value = '', $deprecated = '', $autoload = 'yes' ) {
	if ( array_key_exists( $name, Harness::$options ) ) {
		return false;
	}
	Harness::$options[ $name ] = serialize( $value );
	return true;
}
function delete_option( $name ) {
	$had = array_key_exists( $name, Harness::$options );
	unset( Harness::$options[ $name ] );
	return $had;
}
function get_transient( $name ) {
	$stored = get_option( '_transient_' . $name );
	return false === $stored || $stored['until'] < time() ? false : $stored['value'];
}
function set_transient( $name, $value, $ttl = 0 ) {
	return update_option( '_transient_' . $name, array( 'value' => $value, 'until' => $ttl > 0 ? time() + $ttl : PHP_INT_MAX ) );
}
function delete_transient( $name ) {
	return delete_option( '_transient_' . $name );
}

/** $wpdb over Harness::$options for the options table, and a list for woocommerce_api_keys. */
final class Harness_Wpdb {
	public $prefix  = 'wp_';
	public $options = 'wp_options';
	public $insert_id = 0;
	/** @var array<int, array<string, mixed>> */
	public $api_keys = array();

	public function insert( $table, $data, $format = null ) {
		if ( 'wp_woocommerce_api_keys' !== $table ) {
			return false;
		}
		$this->insert_id = count( $this->api_keys ) + 1;
		$this->api_keys[ $this->insert_id ] = $data + array( 'key_id' => $this->insert_id );
		return 1;
	}
	public function delete( $table, $where, $format = null ) {
		if ( 'wp_woocommerce_api_keys' === $table && isset( $this->api_keys[ $where['key_id'] ] ) ) {
			unset( $this->api_keys[ $where['key_id'] ] );
			return 1;
		}
		return 0;
	}
	public function esc_like( $text ) {
		return addcslashes( $text, '_%\\' );
	}
	public function prepare( $query, ...$args ) {
		return array( $query, $args );
	}
	/** Only the one query shape the plugin uses: option names LIKE 'prefix%'. */
	public function get_col( $prepared ) {
		$like   = $prepared[1][0];
		$prefix = stripcslashes( substr( $like, 0, -1 ) );
		return array_values( array_filter( array_keys( Harness::$options ), static function ( $name ) use ( $prefix ) {
			return 0 === strpos( $name, $prefix );
		} ) );
	}
}

// i18n and escaping.
function __( $text, $domain = 'default' ) { return $text; }
function _e( $text, $domain = 'default' ) { echo $text; }
function _n( $single, $plural, $number, $domain = 'default' ) { return 1 === $number ? $single : $plural; }
function esc_html( $text ) { return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' ); }
function esc_attr( $text ) { return esc_html( $text ); }
function esc_html__( $text, $domain = 'default' ) { return esc_html( $text ); }
function esc_html_e( $text, $domain = 'default' ) { echo esc_html( $text ); }
function esc_attr__( $text, $domain = 'default' ) { return esc_attr( $text ); }
function esc_url( $url ) { return esc_attr( esc_url_raw( $url ) ); }
function esc_url_raw( $url, $protocols = null ) {
	$url = trim( (string) $url );
	return preg_match( '#^(https?://|/)#i', $url ) ? $url : '';
}
function untrailingslashit( $value ) { return rtrim( $value, '/\\' ); }
function sanitize_text_field( $value ) { return trim( preg_replace( '/[\r\n\t ]+/', ' ', strip_tags( (string) $value ) ) ); }
function sanitize_key( $key ) { return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) ); }
function wp_unslash( $value ) { return is_array( $value ) ? array_map( 'wp_unslash', $value ) : stripslashes( (string) $value ); }
function wp_json_encode( $data, $options = 0 ) { return json_encode( $data, $options ); }
function checked( $a, $b, $echo = true ) { return (string) $a === (string) $b ? " checked='checked'" : ''; }
function load_plugin_textdomain() { return true; }
function plugin_basename( $file ) { return basename( dirname( $file ) ) . '/' . basename( $file ); }
function plugins_url( $path = '', $plugin = '' ) { return 'https://shop.test/wp-content/plugins/holdfast/' . $path; }
function home_url( $path = '' ) { return 'https://shop.test' . $path; }
function admin_url( $path = '' ) { return 'https://shop.test/wp-admin/' . $path; }
function add_query_arg( $args, $url ) { return $url . ( false === strpos( $url, '?' ) ? '?' : '&' ) . http_build_query( $args ); }
function get_bloginfo( $what ) { return 'Test Shop'; }
function get_permalink( $id ) { return 'https://shop.test/product/' . $id . '/'; }
function wp_date( $format, $time ) { return gmdate( 'Y-m-d H:i', $time ); }
function wp_generate_password( $length = 12, $special = true ) { return substr( bin2hex( random_bytes( $length ) ), 0, $length ); }
function is_admin() { return true; }
function get_current_user_id() { return 1; }
function wp_get_current_user() { return (object) array( 'ID' => 1, 'user_login' => 'admin' ); }
function current_user_can( $cap ) { return ! empty( Harness::$caps[ $cap ] ); }
function wp_create_nonce( $action ) { return 'nonce-' . $action; }
function wp_nonce_field( $action, $name = '_wpnonce', $referer = true, $echo = true ) {
	$field = '<input type="hidden" name="' . esc_attr( $name ) . '" value="' . esc_attr( wp_create_nonce( $action ) ) . '" />';
	if ( $echo ) {
		echo $field;
	}
	return $field;
}
function check_admin_referer( $action, $name = '_wpnonce' ) {
	if ( ! Harness::$nonce_ok || ( $_REQUEST[ $name ] ?? '' ) !== wp_create_nonce( $action ) ) {
		throw new Harness_Exit( 'die', 'The link you followed has expired.', 403 );
	}
	return 1;
}
function wp_die( $message = '', $title = '', $args = array() ) {
	throw new Harness_Exit( 'die', (string) $message, (int) ( $args['response'] ?? 500 ) );
}
function wp_safe_redirect( $location ) { throw new Harness_Exit( 'redirect', $location, 302 ); }
function wp_redirect( $location ) { throw new Harness_Exit( 'redirect', $location, 302 ); }

// Cron.
function wp_next_scheduled( $hook ) { return isset( Harness::$cron[ $hook ] ) ? Harness::$cron[ $hook ][0] : false; }
function wp_schedule_event( $time, $recurrence, $hook ) { Harness::$cron[ $hook ] = array( $time, $recurrence ); return true; }
function wp_clear_scheduled_hook( $hook ) { unset( Harness::$cron[ $hook ] ); return 1; }

// Assets and templates.
function wp_enqueue_script( $handle, $src = '', $deps = array(), $ver = false, $footer = false ) { Harness::$scripts[ $handle ] = $src; }
function wp_enqueue_style( $handle, $src = '', $deps = array(), $ver = false ) { Harness::$scripts[ $handle ] = $src; }
function is_product() { return Harness::$is_product; }
function get_queried_object_id() { return Harness::$queried_id; }

// Errors and HTTP.
class WP_Error {
	/** @var array<string, string[]> */
	public $errors = array();
	/** @var array<string, mixed> */
	public $error_data = array();
	public function __construct( $code = '', $message = '', $data = '' ) {
		if ( '' !== $code ) {
			$this->add( $code, $message, $data );
		}
	}
	public function add( $code, $message, $data = '' ) {
		$this->errors[ $code ][] = $message;
		if ( '' !== $data ) {
			$this->error_data[ $code ] = $data;
		}
	}
	public function has_errors() { return ! empty( $this->errors ); }
	public function get_error_code() { $codes = array_keys( $this->errors ); return $codes[0] ?? ''; }
	public function get_error_codes() { return array_keys( $this->errors ); }
	public function get_error_message() { $code = $this->get_error_code(); return $this->errors[ $code ][0] ?? ''; }
	public function get_error_data() { return $this->error_data[ $this->get_error_code() ] ?? null; }
}
function is_wp_error( $thing ) { return $thing instanceof WP_Error; }
function wp_remote_request( $url, $args = array() ) {
	Harness::$requests[] = array( 'url' => $url, 'args' => $args );
	if ( null === Harness::$http ) {
		return new WP_Error( 'http_request_failed', 'cURL error 7: Failed to connect' );
	}
	return call_user_func( Harness::$http, $url, $args );
}
function wp_remote_retrieve_response_code( $response ) { return is_array( $response ) ? $response['response']['code'] : ''; }
function wp_remote_retrieve_body( $response ) { return is_array( $response ) ? $response['body'] : ''; }
/** A response as WordPress's HTTP API returns it. */
function harness_response( int $status, $body ): array {
	return array( 'response' => array( 'code' => $status ), 'body' => is_string( $body ) ? $body : json_encode( $body ), 'headers' => array() );
}

// REST.
function register_rest_route( $namespace, $route, $args ) { Harness::$routes[ '/' . $namespace . $route ] = $args; return true; }
function __return_true() { return true; }
class WP_REST_Request {
	private $method;
	private $route;
	private $headers = array();
	private $body    = '';
	private $params  = array();
	public function __construct( $method = 'GET', $route = '' ) { $this->method = $method; $this->route = $route; }
	public function get_method() { return $this->method; }
	public function get_route() { return $this->route; }
	public function set_header( $name, $value ) { $this->headers[ strtolower( $name ) ] = $value; }
	public function get_header( $name ) { return $this->headers[ strtolower( $name ) ] ?? null; }
	public function set_body( $body ) { $this->body = $body; }
	public function get_body() { return $this->body; }
	public function set_param( $name, $value ) { $this->params[ $name ] = $value; }
	public function get_param( $name ) { return $this->params[ $name ] ?? null; }
}
class WP_REST_Response {
	public $data;
	public $status;
	public function __construct( $data = null, $status = 200 ) { $this->data = $data; $this->status = $status; }
	public function get_data() { return $this->data; }
	public function get_status() { return $this->status; }
}
/** What WordPress's REST server does with a route: permission callback, then the callback. */
function harness_dispatch( WP_REST_Request $request ) {
	$route = Harness::$routes[ $request->get_route() ] ?? null;
	if ( null === $route ) {
		return new WP_Error( 'rest_no_route', 'No route', array( 'status' => 404 ) );
	}
	$allowed = call_user_func( $route['permission_callback'], $request );
	if ( true !== $allowed ) {
		return $allowed instanceof WP_Error ? $allowed : new WP_Error( 'rest_forbidden', 'Forbidden', array( 'status' => 401 ) );
	}
	return call_user_func( $route['callback'], $request );
}
