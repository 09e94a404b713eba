package nbsync

import (
	"errors"
	"fmt"
	"sync"

	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// committedModel is the NB model bound to the schema the nbdb package was generated from.
var committedModel = sync.OnceValues(func() (model.DatabaseModel, error) {
	client, err := nbdb.FullDatabaseModel()
	if err != nil {
		return model.DatabaseModel{}, err
	}
	db, errs := model.NewDatabaseModel(nbdb.Schema(), client)
	if len(errs) > 0 {
		return model.DatabaseModel{}, fmt.Errorf("NB model: %w", errors.Join(errs...))
	}
	return db, nil
})

// DatabaseModel is the NB model bound to the committed OVN schema: what Plan maps rows with, and what
// an in-memory cache of NB (a test's) is built on.
func DatabaseModel() (model.DatabaseModel, error) { return committedModel() }

// rowOps turns models into OVSDB operations the way libovsdb's client API does, without a client: an
// insert carries the row's non-default columns, an update the named columns less the immutable ones,
// and both name their row by UUID. db is the client's model when there is one (it is bound to the
// schema the server sent), else the committed one.
type rowOps struct{ db model.DatabaseModel }

func (r rowOps) insert(m model.Model) ([]ovsdb.Operation, error) {
	info, err := r.db.NewModelInfo(m)
	if err != nil {
		return nil, err
	}
	row, err := r.db.Mapper.NewRow(info)
	if err != nil {
		return nil, err
	}
	field, err := info.FieldByColumn("_uuid")
	if err != nil {
		return nil, err
	}
	op := ovsdb.Operation{Op: ovsdb.OperationInsert, Table: info.Metadata.TableName, Row: row}
	if uuid := field.(string); ovsdb.IsNamedUUID(uuid) {
		op.UUIDName = uuid
	} else if ovsdb.IsValidUUID(uuid) {
		op.UUID = uuid
	}
	delete(row, "_uuid") // the UUID is the operation's, not the row's
	return []ovsdb.Operation{op}, nil
}

// update sets the columns of fields (pointers into m) of the row with m's UUID.
func (r rowOps) update(m model.Model, fields ...any) ([]ovsdb.Operation, error) {
	info, err := r.db.NewModelInfo(m)
	if err != nil {
		return nil, err
	}
	uuid, err := info.FieldByColumn("_uuid")
	if err != nil {
		return nil, err
	}
	row, err := r.db.Mapper.NewRow(info, fields...)
	if err != nil {
		return nil, err
	}
	for name, column := range info.Metadata.TableSchema.Columns {
		if !column.Mutable() {
			delete(row, name)
		}
	}
	delete(row, "_uuid")
	if len(row) == 0 {
		return nil, fmt.Errorf("update of %s %s names no mutable column", info.Metadata.TableName, uuid)
	}
	return []ovsdb.Operation{{Op: ovsdb.OperationUpdate, Table: info.Metadata.TableName, Row: row,
		Where: byUUID(uuid.(string))}}, nil
}

func deleteOp(table, uuid string) ovsdb.Operation {
	return ovsdb.Operation{Op: ovsdb.OperationDelete, Table: table, Where: byUUID(uuid)}
}

func byUUID(uuid string) []ovsdb.Condition {
	return []ovsdb.Condition{ovsdb.NewCondition("_uuid", ovsdb.ConditionEqual, ovsdb.UUID{GoUUID: uuid})}
}
