import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  typeFromAST,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's requested query cost, computed from the schema (independently of the app's own
 * estimates, so a test can compare them):
 *   scalar / enum 0; object 1 + its selection; connection 2 + first|last x (1 + node selection);
 *   list of objects: length of its list argument (ids, names) x (1 + selection), or 1 x;
 *   abstract type: the most expensive fragment; each mutation root field 10 (payload free).
 */
export function requestedQueryCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === "mutation") {
    return operation.selectionSet.selections.filter((selection) => selection.kind === Kind.FIELD && !selection.name.value.startsWith("__")).length * 10;
  }
  const root = schema.getQueryType();
  if (!root) return 0;

  const argument = (field: GraphQLField<unknown, unknown>, node: FieldNode, name: string): unknown => {
    const definition = field.args.find((arg) => arg.name === name);
    const ast = node.arguments?.find((arg) => arg.name.value === name);
    if (!definition || !ast) return undefined;
    return valueFromAST(ast.value, definition.type, variables);
  };

  const selectionCost = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    let fields = 0;
    const fragmentCosts: number[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        fields += fieldCost(parent, selection);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        const condition = fragment.typeCondition ? (typeFromAST(schema, fragment.typeCondition) as GraphQLCompositeType | undefined) : parent;
        fragmentCosts.push(selectionCost(condition ?? parent, fragment.selectionSet));
      }
    }
    const fragmentsCost = isAbstractType(parent) ? Math.max(0, ...fragmentCosts) : fragmentCosts.reduce((a, b) => a + b, 0);
    return fields + fragmentsCost;
  };

  const fieldCost = (parent: GraphQLCompositeType, node: FieldNode): number => {
    if (node.name.value.startsWith("__") || !("getFields" in parent)) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    const named = getNamedType(field.type);
    if (isLeafType(named)) return 0;
    const composite = named as GraphQLCompositeType;
    if (isObjectType(named) && named.name.endsWith("Connection") && "edges" in named.getFields()) {
      const size = Number(argument(field, node, "first") ?? argument(field, node, "last") ?? 1);
      const nodeType = getNamedType(named.getFields().nodes?.type ?? named.getFields().edges!.type) as GraphQLCompositeType;
      let perNode = 0;
      for (const selection of node.selectionSet?.selections ?? []) {
        if (selection.kind !== Kind.FIELD) continue;
        if (selection.name.value === "nodes") perNode = Math.max(perNode, 1 + selectionCost(nodeType, selection.selectionSet));
        if (selection.name.value === "edges") {
          const edgeType = getNamedType(named.getFields().edges!.type) as GraphQLCompositeType;
          const inner = selection.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === "node");
          const nodeOfEdge = getNamedType(
            (edgeType as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields().node!.type,
          ) as GraphQLCompositeType;
          perNode = Math.max(perNode, 1 + selectionCost(nodeOfEdge, inner?.selectionSet));
        }
      }
      return 2 + size * perNode;
    }
    const element = 1 + selectionCost(composite, node.selectionSet);
    if (isListType(getNullableType(field.type))) {
      const listArgument = field.args.find((arg) => isListType(getNullableType(arg.type)));
      const value = listArgument ? argument(field, node, listArgument.name) : undefined;
      return (Array.isArray(value) ? value.length : 1) * element;
    }
    return element;
  };

  return selectionCost(root, operation.selectionSet);
}
