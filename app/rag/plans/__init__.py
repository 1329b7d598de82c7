"""Answer plans: how a question of each shape is answered (issue 22). See shape.plan_of."""
