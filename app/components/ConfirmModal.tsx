import { Modal, Text } from "@shopify/polaris";

export interface Confirmation {
  title: string;
  /** What happens, and what cannot be undone. */
  body: string;
  confirm: string;
  destructive: boolean;
}

interface ConfirmModalProps {
  /** null: closed. */
  confirmation: Confirmation | null;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * Asks before a destructive action (end a drop, queue everyone), as Shopify's design
 * guidelines ask. Polaris' modal is used on both surfaces, so the console and the embedded
 * admin ask the same way and the question is there even when App Bridge's script is not.
 */
export function ConfirmModal({ confirmation, onConfirm, onCancel }: ConfirmModalProps) {
  return (
    <Modal
      open={confirmation !== null}
      onClose={onCancel}
      title={confirmation?.title ?? ""}
      primaryAction={{ content: confirmation?.confirm ?? "Confirm", destructive: confirmation?.destructive ?? false, onAction: onConfirm }}
      secondaryActions={[{ content: "Cancel", onAction: onCancel }]}
    >
      <Modal.Section>
        <Text as="p">{confirmation?.body}</Text>
      </Modal.Section>
    </Modal>
  );
}
