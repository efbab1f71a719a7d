<?php
/**
 * The widget's strings through WordPress i18n; the keys are the Shopify extension's
 * (extensions/waiting-room/locales/en.default.json), checked by a test. Counted strings come
 * as "<key>_<count>" / "<key>_<plural category>" keys, which the widget picks with Intl.PluralRules.
 *
 * @package Holdfast
 */

namespace Holdfast\Widget;

defined( 'ABSPATH' ) || exit;

final class Strings {
	/** @return array<string, string> */
	public static function all(): array {
		return array(
			'title' => __( 'You\'re in line for the drop', 'holdfast' ),
			'joining' => __( 'Saving your place in line…', 'holdfast' ),
			'prequeue' => __( 'You\'re in the line before the start.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'starts_in' => __( 'The sale starts in {eta}. Everyone who joined before the start gets a random place at the start, so there is no need to refresh.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'waiting' => __( 'You are number {position} in line.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'paused' => __( 'The sale is paused for a moment. You keep your place (number {position}).', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'ahead_0' => __( 'You\'re next, about {eta} to go. Keep this page open; closing this box keeps your place.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'ahead_one' => __( '{ahead} person ahead of you, about {eta} to go. Keep this page open; closing this box keeps your place.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'ahead_other' => __( '{ahead} people ahead of you, about {eta} to go. Keep this page open; closing this box keeps your place.', 'holdfast' ),
			'eta_unknown' => __( 'a few moments', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'eta_seconds_one' => __( '{n} second', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'eta_seconds_other' => __( '{n} seconds', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'eta_minutes_one' => __( '{n} minute', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'eta_minutes_other' => __( '{n} minutes', 'holdfast' ),
			'holding' => __( 'It\'s your turn! Reserving your item…', 'holdfast' ),
			'adding' => __( 'Reserved. Adding it to your cart…', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'held' => __( 'Your item is reserved until {time}. Complete your checkout before then.', 'holdfast' ),
			'soldout' => __( 'Sold out. Every unit is sold or reserved.', 'holdfast' ),
			'soldout_next' => __( 'Reserved items that are not bought return to the sale; keep this open and we\'ll tell you if one comes back.', 'holdfast' ),
			'ended' => __( 'This sale has ended.', 'holdfast' ),
			'expired' => __( 'Your turn came and passed before you reserved. Join the line again to get a new place.', 'holdfast' ),
			'join_again' => __( 'Join the line again', 'holdfast' ),
			'close' => __( 'Close', 'holdfast' ),
			'close_label' => __( 'Close (you keep your place in line)', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'busy' => __( 'Lots of shoppers right now. Trying again in {seconds} s; you keep your place.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'unavailable' => __( 'The line is busy. Trying again in {seconds} s; you keep your place.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'offline' => __( 'Connection lost. Trying again in {seconds} s; you keep your place.', 'holdfast' ),
			/* translators: placeholders in braces are filled in by the widget; keep them as they are. */
			'error' => __( 'Something went wrong: {message}', 'holdfast' ),
			'error_sold_out' => __( 'There isn\'t enough left for that quantity. Choose fewer, or another item.', 'holdfast' ),
			'error_limit_exceeded' => __( 'You\'ve reached this sale\'s limit per customer. Remove a reserved item or choose fewer.', 'holdfast' ),
			'error_pass_used' => __( 'Your turn was already used to reserve an item, maybe in another tab. Check your cart, or join the line again.', 'holdfast' ),
			'error_request_already_used' => __( 'Your reservation has ended and your turn was used for it. Join the line again to get a new turn.', 'holdfast' ),
			'error_sale_not_open' => __( 'The line isn\'t open yet. We\'ll try again in a few seconds; keep this page open.', 'holdfast' ),
			'error_sale_ended' => __( 'This sale has ended.', 'holdfast' ),
			'error_sale_not_found' => __( 'This sale isn\'t available right now.', 'holdfast' ),
			'error_cart' => __( 'Your item is reserved, but it couldn\'t be added to your cart. Refresh the page to try again.', 'holdfast' ),
		);
	}
}
