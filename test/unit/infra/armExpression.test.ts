import { ArmExpressionError, callsIn, isArmExpression, parseArmExpression, renderArm } from './armExpression';

describe('parseArmExpression', () => {
  it('parses nested calls, escaped quotes, properties and indexes', () => {
    const node = parseArmExpression(
      "[concat(variables('list')[copyIndex()], 'it''s', reference(resourceId('T/x', 'n'), '2020-01-01').a.b)]",
    );
    expect(renderArm(node)).toBe("concat(variables('list')[copyindex()], 'it''s', reference(resourceid('T/x', 'n'), '2020-01-01').a.b)");
    expect(callsIn(node).map((c) => c.name)).toEqual(['concat', 'variables', 'copyIndex', 'reference', 'resourceId']);
  });

  it('treats [[ as an escaped literal, not an expression', () => {
    expect(isArmExpression('[[not an expression]')).toBe(false);
    expect(isArmExpression("[parameters('a')]")).toBe(true);
  });

  it('reports an unterminated string with the expression text', () => {
    expect(() => parseArmExpression("[concat('a]")).toThrow(ArmExpressionError);
    expect(() => parseArmExpression("[concat('a]")).toThrow(/unterminated string/);
  });
});
