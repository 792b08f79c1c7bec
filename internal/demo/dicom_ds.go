package demo

import (
	"fmt"
	"time"
)

// The data sets of queries, procedure steps and commitments. Patient
// attributes are present where a query or an answer needs them, and empty.

// worklistQuery is a modality's Modality Worklist query: today's steps
// for its AE title, with the keys it wants back empty.
func worklistQuery(h *host, date string) []byte {
	var sps dataset
	sps.text(0x0008, 0x0060, "CS", h.modality)
	sps.text(0x0040, 0x0001, "AE", h.ae)
	sps.text(0x0040, 0x0002, "DA", date)
	sps.elem(0x0040, 0x0003, "TM", nil)
	sps.elem(0x0040, 0x0009, "SH", nil)
	var d dataset
	d.elem(0x0008, 0x0050, "SH", nil)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.elem(0x0020, 0x000d, "UI", nil)
	d.elem(0x0032, 0x1060, "LO", nil)
	d.seq(0x0040, 0x0100, &sps)
	return d.b
}

// worklistItem is one scheduled procedure step the RIS answers with.
func worklistItem(h *host, procedure, accession, study, date string, i int) []byte {
	var sps dataset
	sps.text(0x0008, 0x0060, "CS", h.modality)
	sps.text(0x0040, 0x0001, "AE", h.ae)
	sps.text(0x0040, 0x0002, "DA", date)
	sps.text(0x0040, 0x0003, "TM", fmt.Sprintf("%02d%02d00", 9+i, 15*(i%4)))
	sps.text(0x0040, 0x0009, "SH", fmt.Sprintf("DEMOSPS%d", i+1))
	var d dataset
	d.text(0x0008, 0x0050, "SH", accession)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.uid(0x0020, 0x000d, study)
	d.text(0x0032, 0x1060, "LO", procedure)
	d.seq(0x0040, 0x0100, &sps)
	return d.b
}

// ppsDataSet is the attributes of a procedure step as a modality starts it
// or, done, completes it.
func ppsDataSet(h *host, t time.Time, done bool) []byte {
	date, clock := t.UTC().Format("20060102"), t.UTC().Format("150405")
	var d dataset
	if done {
		d.text(0x0040, 0x0250, "DA", date)
		d.text(0x0040, 0x0251, "TM", clock)
		d.text(0x0040, 0x0252, "CS", "COMPLETED")
		return d.b
	}
	d.text(0x0008, 0x0060, "CS", h.modality)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.text(0x0040, 0x0241, "AE", h.ae)
	d.text(0x0040, 0x0244, "DA", date)
	d.text(0x0040, 0x0245, "TM", clock)
	d.text(0x0040, 0x0252, "CS", "IN PROGRESS")
	d.text(0x0040, 0x0253, "SH", "DEMOPPS")
	return d.b
}

// commitmentRequest asks the PACS to commit to keeping the instances.
func commitmentRequest(transaction, sop string, insts []string) []byte {
	refs := make([]*dataset, len(insts))
	for i, inst := range insts {
		refs[i] = &dataset{}
		refs[i].uid(0x0008, 0x1150, sop)
		refs[i].uid(0x0008, 0x1155, inst)
	}
	var d dataset
	d.uid(0x0008, 0x1195, transaction)
	d.seq(0x0008, 0x1199, refs...)
	return d.b
}

// studyQuery is a reporting workstation's query for today's studies.
func studyQuery(date string) []byte {
	var d dataset
	d.text(0x0008, 0x0020, "DA", date)
	d.elem(0x0008, 0x0050, "SH", nil)
	d.text(0x0008, 0x0052, "CS", "STUDY")
	d.elem(0x0008, 0x0061, "CS", nil)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.elem(0x0020, 0x000d, "UI", nil)
	return d.b
}

// studyResult is one study the PACS answers with.
func studyResult(study, modality, date string, accession int) []byte {
	var d dataset
	d.text(0x0008, 0x0020, "DA", date)
	d.text(0x0008, 0x0050, "SH", fmt.Sprintf("DEMO%06d", accession))
	d.text(0x0008, 0x0052, "CS", "STUDY")
	d.text(0x0008, 0x0061, "CS", modality)
	d.elem(0x0010, 0x0010, "PN", nil)
	d.elem(0x0010, 0x0020, "LO", nil)
	d.uid(0x0020, 0x000d, study)
	return d.b
}

// moveQuery names the study a C-MOVE retrieves.
func moveQuery(study string) []byte {
	var d dataset
	d.text(0x0008, 0x0052, "CS", "STUDY")
	d.uid(0x0020, 0x000d, study)
	return d.b
}
