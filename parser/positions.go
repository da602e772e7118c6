package parser

// Pos and End of every node.

func (x *CreateStream) Pos() Pos { return x.Create }
func (x *CreateStream) End() Pos { return x.EndPos }

func (x *CreatePump) Pos() Pos { return x.Create }
func (x *CreatePump) End() Pos { return x.Insert.End() }

func (x *CreateFunction) Pos() Pos { return x.Create }
func (x *CreateFunction) End() Pos { return x.EndPos }

func (x *QueryStmt) Pos() Pos { return x.Query.Pos() }
func (x *QueryStmt) End() Pos { return x.Query.End() }

func (x *Insert) Pos() Pos { return x.InsertPos }
func (x *Insert) End() Pos { return x.Query.End() }

func (x *ColumnDef) Pos() Pos { return x.Name.Pos() }
func (x *ColumnDef) End() Pos { return x.EndPos }

func (x *TypeName) Pos() Pos { return x.NamePos }
func (x *TypeName) End() Pos { return x.EndPos }

func (x *Select) Pos() Pos { return x.SelectPos }
func (x *Select) End() Pos { return x.EndPos }

func (x *Union) Pos() Pos { return x.Left.Pos() }
func (x *Union) End() Pos { return x.EndPos }

func (x *SelectItem) Pos() Pos { return x.StartPos }
func (x *SelectItem) End() Pos { return x.EndPos }

func (x *Stagger) Pos() Pos { return x.Windowed }
func (x *Stagger) End() Pos { return x.EndPos }

func (x *WindowSpec) Pos() Pos { return x.Lparen }
func (x *WindowSpec) End() Pos { return x.Rparen + 1 }

func (x *TableRef) Pos() Pos { return x.Name.Pos() }
func (x *TableRef) End() Pos { return x.EndPos }

func (x *SubqueryRef) Pos() Pos { return x.Lparen }
func (x *SubqueryRef) End() Pos { return x.EndPos }

func (x *TableFunc) Pos() Pos { return x.TablePos }
func (x *TableFunc) End() Pos { return x.EndPos }

func (x *Join) Pos() Pos { return x.Left.Pos() }
func (x *Join) End() Pos { return joinEnd(x) }

func (x *Ident) Pos() Pos { return x.NamePos }
func (x *Ident) End() Pos { return x.EndPos }

func (x *ColumnRef) Pos() Pos { return x.Parts[0].NamePos }
func (x *ColumnRef) End() Pos { return x.Parts[len(x.Parts)-1].EndPos }

func (x *NumberLit) Pos() Pos { return x.ValuePos }
func (x *NumberLit) End() Pos { return x.EndPos }

func (x *StringLit) Pos() Pos { return x.ValuePos }
func (x *StringLit) End() Pos { return x.EndPos }

func (x *BinaryLit) Pos() Pos { return x.ValuePos }
func (x *BinaryLit) End() Pos { return x.EndPos }

func (x *BoolLit) Pos() Pos { return x.ValuePos }
func (x *BoolLit) End() Pos { return x.EndPos }

func (x *NullLit) Pos() Pos { return x.ValuePos }
func (x *NullLit) End() Pos { return x.EndPos }

func (x *DatetimeLit) Pos() Pos { return x.KindPos }
func (x *DatetimeLit) End() Pos { return x.EndPos }

func (x *IntervalLit) Pos() Pos { return x.IntervalPos }
func (x *IntervalLit) End() Pos { return x.EndPos }

func (x *IntervalQualifier) Pos() Pos { return x.X.Pos() }
func (x *IntervalQualifier) End() Pos { return x.EndPos }

func (x *BinaryExpr) Pos() Pos { return x.X.Pos() }
func (x *BinaryExpr) End() Pos { return x.Y.End() }

func (x *UnaryExpr) Pos() Pos { return x.OpPos }
func (x *UnaryExpr) End() Pos { return x.X.End() }

func (x *ParenExpr) Pos() Pos { return x.Lparen }
func (x *ParenExpr) End() Pos { return x.Rparen + 1 }
func (x *RowExpr) Pos() Pos   { return x.Lparen }
func (x *RowExpr) End() Pos   { return x.Rparen + 1 }

func (x *IsExpr) Pos() Pos { return x.X.Pos() }
func (x *IsExpr) End() Pos { return x.EndPos }

func (x *DistinctFrom) Pos() Pos { return x.X.Pos() }
func (x *DistinctFrom) End() Pos { return x.Y.End() }

func (x *LikeExpr) Pos() Pos { return x.X.Pos() }
func (x *LikeExpr) End() Pos { return likeEnd(x) }

func (x *InExpr) Pos() Pos { return x.X.Pos() }
func (x *InExpr) End() Pos { return x.EndPos }

func (x *BetweenExpr) Pos() Pos { return x.X.Pos() }
func (x *BetweenExpr) End() Pos { return x.Hi.End() }

func (x *CaseExpr) Pos() Pos { return x.CasePos }
func (x *CaseExpr) End() Pos { return x.EndPos }

func (x *CastExpr) Pos() Pos { return x.CastPos }
func (x *CastExpr) End() Pos { return x.Rparen + 1 }

func (x *FloorCeil) Pos() Pos { return x.FuncPos }
func (x *FloorCeil) End() Pos { return x.Rparen + 1 }

func (x *StepExpr) Pos() Pos { return x.StepPos }
func (x *StepExpr) End() Pos { return x.Rparen + 1 }

func (x *ExtractExpr) Pos() Pos { return x.ExtractPos }
func (x *ExtractExpr) End() Pos { return x.Rparen + 1 }

func (x *PositionExpr) Pos() Pos { return x.PositionPos }
func (x *PositionExpr) End() Pos { return x.Rparen + 1 }

func (x *SubstringExpr) Pos() Pos { return x.SubstringPos }
func (x *SubstringExpr) End() Pos { return x.Rparen + 1 }

func (x *TrimExpr) Pos() Pos { return x.TrimPos }
func (x *TrimExpr) End() Pos { return x.Rparen + 1 }

func (x *OverlayExpr) Pos() Pos { return x.OverlayPos }
func (x *OverlayExpr) End() Pos { return x.Rparen + 1 }

func (x *FuncCall) Pos() Pos { return x.Name.NamePos }
func (x *FuncCall) End() Pos { return x.EndPos }

func (x *CursorExpr) Pos() Pos { return x.CursorPos }
func (x *CursorExpr) End() Pos { return x.Rparen + 1 }
func (x *ExistsExpr) Pos() Pos { return x.ExistsPos }
func (x *ExistsExpr) End() Pos { return x.Rparen + 1 }

func (x *FieldAccess) Pos() Pos { return x.X.Pos() }
func (x *FieldAccess) End() Pos { return x.Field.EndPos }

func joinEnd(x *Join) Pos {
	if x.On != nil {
		return x.On.End()
	}
	return x.Right.End()
}

func likeEnd(x *LikeExpr) Pos {
	if x.Escape != nil {
		return x.Escape.End()
	}
	return x.Pattern.End()
}
