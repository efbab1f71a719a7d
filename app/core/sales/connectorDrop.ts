/** A drop as the WordPress plugin gates it: the sale and its items by WooCommerce ref ("<product>" or "<product>:<variation>"). */
export interface ConnectorDrop {
  sale: string;
  name: string;
  state: string;
  /** auto | open | closed: what the plugin does with this drop's items while Holdfast cannot be reached. */
  failPolicy: string;
  items: Record<string, string>;
}
